// content: how our own posts perform (docs/insights.md): engagement rate (or mean engagement) by
// format, topic, hour of day or account. Click a bar: our posts behind it (for a format or an hour,
// the explorer cannot say "videos" or "at 18:00": it opens our posts of the period).
import { html } from "htm/preact";
import { useMemo, useRef } from "preact/hooks";
import { api } from "../api.js";
import { escapeHtml, formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { brandAccounts, parseAccountLabel, writtenBy } from "./accounts.js";
import { Chart } from "./chart.js";
import { analyticsQuery, exploreUrl } from "./filters.js";
import { openExplorer, useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { rangeOf } from "./volume.js";

const GROUPS = ["format", "topic", "hour", "account"];

function formatName(format) {
  return { video: t("Video"), image: t("Image"), link: t("Link"), text: t("Text") }[format] || String(format);
}

export const definition = {
  type: "content",
  label: () => t("Our content"),
  size: { w: 6, h: 4 },
  defaults: { group_by: "format", measure: "engagement_rate" },
  fields: [
    {
      name: "group_by",
      label: () => t("By"),
      choices: GROUPS,
      choiceLabel: (value) => ({ format: t("Format"), topic: t("Topic"), hour: t("Hour of day"), account: t("Account") })[value],
    },
    {
      name: "measure",
      label: () => t("Measure"),
      choices: ["engagement_rate", "engagement_mean"],
      choiceLabel: (value) => (value === "engagement_mean" ? t("Mean engagement") : t("Engagement rate")),
    },
  ],
};

export function ContentWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const chart = useRef(null);
  const group = GROUPS.includes(options.group_by) ? options.group_by : "format";
  const measure = options.measure === "engagement_mean" ? "engagement_mean" : "engagement_rate";
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: async (range, signal) => {
      const [answer, accounts] = await Promise.all([
        api.get("/api/v1/analytics/content-performance", { query: analyticsQuery(filters, range, { group_by: group }), signal }),
        brandAccounts().catch(() => []),
      ]);
      return { ...answer, accounts: accounts.filter((account) => account.ours) };
    },
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 120_000 });

  const data = loaded.data;
  const label = (row) => {
    const value = row[group];
    if (group === "format") return formatName(value);
    if (group === "hour") return `${String(value).padStart(2, "0")}:00`;
    return String(value);
  };
  const view = useMemo(() => {
    if (!data) return null;
    const rows = group === "hour" ? data.rows : data.rows.slice().sort((a, b) => (b[measure] || 0) - (a[measure] || 0));
    const show = (value) => (measure === "engagement_rate" ? formatPercent(value, { maximumFractionDigits: 1 }) : formatNumber(value, { maximumFractionDigits: 1 }));
    const chartOption = {
      tooltip: { trigger: "item", formatter: (item) => `${escapeHtml(item.name)}: ${show(item.value)} · ${t("{count} posts", { count: formatNumber(rows[item.dataIndex].posts) })}` },
      // Topics and accounts have long names: bars lie down so that every name can be read.
      ...(group === "topic" || group === "account"
        ? {
            grid: { top: 8, left: 8, right: 24, bottom: 8, containLabel: true },
            yAxis: { type: "category", inverse: true, data: rows.map(label), axisLabel: { interval: 0 } },
            xAxis: { type: "value", axisLabel: { formatter: show } },
            series: [{ type: "bar", barMaxWidth: 22, data: rows.map((row) => row[measure] || 0), itemStyle: { borderRadius: [0, 4, 4, 0] } }],
          }
        : {
            grid: { top: 12 },
            xAxis: { type: "category", data: rows.map(label) },
            yAxis: { type: "value", axisLabel: { formatter: show } },
            series: [{ type: "bar", barMaxWidth: 36, data: rows.map((row) => row[measure] || 0), itemStyle: { borderRadius: [4, 4, 0, 0] } }],
          }),
    };
    return { rows, option: chartOption };
  }, [data, group, measure]);

  const onPoint = (params) => {
    if (!drill || !data || !view) return;
    const row = view.rows[params.dataIndex];
    let narrowing = writtenBy(data.accounts);
    if (group === "account") {
      const account = parseAccountLabel(row.account);
      if (account) narrowing = writtenBy([account]);
    } else if (group === "topic") {
      narrowing = { ...narrowing, topics: [row.topic] };
    }
    if (narrowing.q) openExplorer(exploreUrl(filters, rangeOf(loaded), narrowing));
  };

  return html`<${WidgetFrame}
    type="content"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    chart=${chart}
    emptyText=${t("None of our accounts posted in this period (our accounts are the brand accounts marked as ours).")}
    subtitle=${measure === "engagement_mean" ? t("Mean engagement") : t("Engagement rate")}
    csv=${() => data && { columns: data.columns, rows: data.rows }}
  >
    ${view ? html`<${Chart} option=${view.option} chartRef=${chart} onPoint=${onPoint} label=${title || definition.label()} />` : null}
  </${WidgetFrame}>`;
}

definition.component = ContentWidget;

// share_of_voice: each compared topic's share of the posts (or engagement) of the topics together,
// as horizontal bars (or a ring). The topics compared are the widget's ``topics`` option (brands
// and competitors), else the filter bar's topics. Click a bar: that topic's posts.
import { html } from "htm/preact";
import { useMemo, useRef } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { Chart, PALETTE } from "./chart.js";
import { analyticsQuery, exploreUrl, normaliseFilters } from "./filters.js";
import { openExplorer, useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { rangeOf } from "./volume.js";

export const definition = {
  type: "share_of_voice",
  label: () => t("Share of voice"),
  size: { w: 4, h: 4 },
  defaults: { topics: [], measure: "posts", chart: "bars" },
  fields: [
    { name: "topics", label: () => t("Topics compared"), kind: "topics" },
    {
      name: "measure",
      label: () => t("Measure"),
      choices: ["posts", "engagement"],
      choiceLabel: (value) => (value === "engagement" ? t("Engagement") : t("Posts")),
    },
    {
      name: "chart",
      label: () => t("Chart"),
      choices: ["bars", "ring"],
      choiceLabel: (value) => (value === "ring" ? t("Ring") : t("Bars")),
    },
  ],
};

/** The topics a share of voice compares: the widget's own, else the filters'. */
export function comparedTopics(filters, options) {
  const own = Array.isArray(options.topics) ? options.topics.filter(Boolean) : [];
  return own.length ? own : normaliseFilters(filters).topics;
}

export function ShareOfVoiceWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const chart = useRef(null);
  const topics = comparedTopics(filters, options);
  const measure = options.measure === "engagement" ? "engagement" : "posts";
  const shareColumn = measure === "engagement" ? "engagement_share" : "share";
  // The compared topics replace the filters' topics: they are what is divided up.
  const widgetFilters = useMemo(() => ({ ...normaliseFilters(filters), topics }), [filters, topics.join("|")]);
  const loaded = useWidgetData({
    filters: widgetFilters,
    options,
    fixedRange,
    load: (range, signal) =>
      topics.length
        ? api.get("/api/v1/analytics/share-of-voice", { query: analyticsQuery(widgetFilters, range), signal })
        : Promise.resolve({ rows: [], columns: [] }),
    isEmpty: (data) => !data.rows.some((row) => row[measure] > 0),
  });
  useLive({ filters: widgetFilters, refresh: loaded.refresh, everyMs: 60_000 });

  const rows = useMemo(
    () => (loaded.data ? loaded.data.rows.slice().sort((a, b) => b[measure] - a[measure] || a.topic.localeCompare(b.topic)) : []),
    [loaded.data, measure],
  );
  const option = useMemo(() => {
    if (!rows.length) return null;
    const tooltip = (name, index) =>
      `${name}: ${formatPercent(rows[index][shareColumn])} · ${formatNumber(rows[index][measure])}`;
    if (options.chart === "ring") {
      return {
        tooltip: { trigger: "item", formatter: (item) => tooltip(item.name, item.dataIndex) },
        legend: { bottom: 0, top: "auto", type: "scroll" },
        series: [
          {
            type: "pie",
            radius: ["48%", "72%"],
            center: ["50%", "45%"],
            label: { show: false },
            data: rows.map((row, index) => ({ name: row.topic, value: row[measure], itemStyle: { color: PALETTE[index % PALETTE.length] } })),
          },
        ],
      };
    }
    return {
      tooltip: { trigger: "item", formatter: (item) => tooltip(item.name, item.dataIndex) },
      grid: { top: 6, right: 48 },
      xAxis: { type: "value", max: 1, axisLabel: { formatter: (value) => formatPercent(value, { maximumFractionDigits: 0 }) } },
      yAxis: { type: "category", inverse: true, data: rows.map((row) => row.topic) },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          data: rows.map((row, index) => ({ value: row[shareColumn] || 0, itemStyle: { color: PALETTE[index % PALETTE.length], borderRadius: 4 } })),
          label: { show: true, position: "right", formatter: (item) => formatPercent(item.value, { maximumFractionDigits: 0 }) },
        },
      ],
    };
  }, [rows, options.chart]);

  const onPoint = (params) => {
    if (!drill || !rows[params.dataIndex]) return;
    openExplorer(exploreUrl(widgetFilters, rangeOf(loaded), { topics: [rows[params.dataIndex].topic] }));
  };

  return html`<${WidgetFrame}
    type="share_of_voice"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    chart=${chart}
    emptyText=${topics.length ? null : t("Choose the topics to compare (brands, competitors) in the widget's settings or the filter bar.")}
    csv=${() => loaded.data && { columns: loaded.data.columns, rows: loaded.data.rows }}
  >
    ${option ? html`<${Chart} option=${option} chartRef=${chart} onPoint=${onPoint} label=${title || definition.label()} />` : null}
  </${WidgetFrame}>`;
}

definition.component = ShareOfVoiceWidget;

// sentiment: positive, neutral and negative posts per bucket (stacked bars) or over the whole range
// (a ring), with the net sentiment. Refreshed live from the rollups. Click: the posts of that
// sentiment in that bucket (or range).
import { html } from "htm/preact";
import { useMemo, useRef } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { Chart, SENTIMENT_COLOURS } from "./chart.js";
import { analyticsQuery, exploreUrl } from "./filters.js";
import { openExplorer, useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { sentimentName } from "./posts.js";
import { bucketBounds, bucketLabel } from "./series.js";
import { rangeOf } from "./volume.js";

const LABELS = ["positive", "neutral", "negative"];

export const definition = {
  type: "sentiment",
  label: () => t("Sentiment"),
  size: { w: 6, h: 4 },
  defaults: { view: "series" },
  fields: [
    {
      name: "view",
      label: () => t("Show"),
      choices: ["series", "breakdown"],
      choiceLabel: (value) => (value === "breakdown" ? t("The whole period") : t("Over time")),
    },
  ],
};

/** Net sentiment as people read it: "+12 %" / "−8 %" (a share of the scored posts). */
export function formatNet(net) {
  if (net === null || net === undefined) return "—";
  const shown = formatPercent(Math.abs(net), { maximumFractionDigits: 0 });
  return net > 0 ? `+${shown}` : net < 0 ? `−${shown}` : shown;
}

/** The whole range's posts per label: {positive, neutral, negative}. */
export function breakdownOf(data) {
  const counts = { positive: 0, neutral: 0, negative: 0 };
  for (const item of data.breakdown || []) if (Object.hasOwn(counts, item.sentiment)) counts[item.sentiment] = item.posts || 0;
  return counts;
}

export function SentimentWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const chart = useRef(null);
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) => api.get("/api/v1/analytics/sentiment", { query: analyticsQuery(filters, range), signal }),
    isEmpty: (data) => !LABELS.some((label) => breakdownOf(data)[label] > 0),
  });
  useLive({ filters, refresh: loaded.refresh });

  const data = loaded.data;
  const breakdown = options.view === "breakdown";
  const tz = data ? data.filters.tz : filters.tz;
  const interval = data ? data.filters.interval : "hour";
  const option = useMemo(() => {
    if (!data) return null;
    if (breakdown) {
      return {
        tooltip: { trigger: "item", formatter: (item) => `${item.name}: ${formatNumber(item.value)} (${formatPercent(item.percent / 100)})` },
        legend: { bottom: 0, top: "auto" },
        series: [
          {
            type: "pie",
            radius: ["48%", "72%"],
            center: ["50%", "46%"],
            itemStyle: { borderWidth: 2, borderColor: "transparent" },
            label: { show: false },
            data: LABELS.map((label) => ({
              name: sentimentName(label),
              value: breakdownOf(data)[label],
              itemStyle: { color: SENTIMENT_COLOURS[label] },
            })),
          },
        ],
      };
    }
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { top: 30 },
      xAxis: { type: "category", data: data.rows.map((row) => bucketLabel(row.bucket, interval, tz)) },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (value) => formatNumber(value) } },
      series: LABELS.map((label) => ({
        name: sentimentName(label),
        type: "bar",
        stack: "sentiment",
        barMaxWidth: 28,
        itemStyle: { color: SENTIMENT_COLOURS[label] },
        data: data.rows.map((row) => row[label]),
      })),
    };
  }, [data, breakdown, interval, tz]);

  const onPoint = (params) => {
    if (!drill || !data) return;
    const range = rangeOf(loaded);
    if (breakdown) {
      openExplorer(exploreUrl(filters, range, { sentiment: [LABELS[params.dataIndex]] }));
      return;
    }
    const bounds = bucketBounds(data.rows.map((row) => row.bucket), params.dataIndex, range);
    openExplorer(exploreUrl(filters, range, { ...bounds, sentiment: [LABELS[params.seriesIndex]] }));
  };

  return html`<${WidgetFrame}
    type="sentiment"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    chart=${chart}
    subtitle=${data ? t("Net sentiment {net}", { net: formatNet(data.net_sentiment) }) : null}
    csv=${() => data && { columns: data.columns, rows: data.rows }}
  >
    ${option ? html`<${Chart} option=${option} chartRef=${chart} onPoint=${onPoint} label=${title || definition.label()} />` : null}
  </${WidgetFrame}>`;
}

definition.component = SentimentWidget;

// volume: posts (or engagement, reach) per bucket, optionally one series per topic, country,
// language, sentiment or source. Live: a new post ticks its bucket at once, and the figures are
// read again from the rollups at most every 30 s while posts arrive. Click a bar: its posts.
import { html } from "htm/preact";
import { useMemo, useRef } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { Chart, SENTIMENT_COLOURS } from "./chart.js";
import { countryName, languageName } from "./countries.js";
import { analyticsQuery, exploreUrl } from "./filters.js";
import { openExplorer, useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { sentimentName, sourceLabel } from "./posts.js";
import { bucketBounds, bucketIndexOf, bucketLabel, bucketsOf, bucketTitle } from "./series.js";

export const MEASURES = ["posts", "engagement", "reach"];
export const GROUPS = ["topic", "country", "lang", "sentiment", "source"];
// How far back a live post may be and still count as new (older ones are re-sent updates).
const FRESH_MS = 10 * 60_000;

export function measureName(measure) {
  return { posts: t("Posts"), engagement: t("Engagement"), reach: t("Reach") }[measure] || measure;
}

/** A group value as people read it: a country's name, a language's, a sentiment's. */
export function groupValueName(group, value) {
  if (value === null || value === undefined || value === "") return t("Unknown");
  if (group === "country") return countryName(value);
  if (group === "lang") return languageName(value);
  if (group === "sentiment") return sentimentName(value);
  if (group === "source") return sourceLabel(value);
  return String(value);
}

/** The explorer narrowing for one value of a group. */
export function groupNarrowing(group, value) {
  if (value === null || value === undefined || value === "") return {};
  const key = { topic: "topics", country: "countries", lang: "languages", sentiment: "sentiment", source: "sources" }[group];
  return key ? { [key]: [value] } : {};
}

function postGroupValue(post, group) {
  switch (group) {
    case "country":
      return post.country || null;
    case "lang":
      return post.lang || null;
    case "sentiment":
      return (post.sentiment && post.sentiment.label) || null;
    case "source":
      return post.source;
    case "topic":
      return (post.topics || []).map((topic) => topic.name);
    default:
      return undefined;
  }
}

function measureOf(post, measure) {
  const metrics = post.metrics || {};
  if (measure === "engagement") return (metrics.likes || 0) + (metrics.reposts || 0) + (metrics.replies || 0);
  if (measure === "reach") return (post.author && post.author.followers) || 0;
  return 1;
}

export const definition = {
  type: "volume",
  label: () => t("Volume"),
  size: { w: 8, h: 4 },
  defaults: { measure: "posts", group_by: null, chart: "bar" },
  fields: [
    { name: "measure", label: () => t("Measure"), choices: MEASURES, choiceLabel: measureName },
    { name: "group_by", label: () => t("One series per"), choices: [null, ...GROUPS], choiceLabel: groupName },
    { name: "chart", label: () => t("Chart"), choices: ["bar", "line"], choiceLabel: (value) => (value === "line" ? t("Line") : t("Bars")) },
  ],
};

export function groupName(group) {
  return (
    { topic: t("Topic"), country: t("Country"), lang: t("Language"), sentiment: t("Sentiment"), source: t("Source") }[group] ||
    t("Nothing (one series)")
  );
}

export function VolumeWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const chart = useRef(null);
  const group = GROUPS.includes(options.group_by) ? options.group_by : null;
  const measure = MEASURES.includes(options.measure) ? options.measure : "posts";
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) =>
      api.get("/api/v1/analytics/volume", { query: analyticsQuery(filters, range, { group_by: group }), signal }),
    isEmpty: (data) => !data.rows.some((row) => row[measure] > 0),
  });

  useLive({
    filters,
    refresh: loaded.refresh,
    onPost: (post, { repeat }) => {
      const created = Date.parse(post.created_at);
      if (repeat || !(created >= Date.now() - FRESH_MS)) return;
      loaded.update((data) => tick(data, post, created, group, measure));
    },
  });

  const view = useMemo(() => (loaded.data ? seriesOf(loaded.data, group, measure) : null), [loaded.data, group, measure]);
  const tz = loaded.data ? loaded.data.filters.tz : filters.tz;
  const interval = loaded.data ? loaded.data.filters.interval : "hour";
  const option = useMemo(() => {
    if (!view) return null;
    const type = options.chart === "line" ? "line" : "bar";
    return {
      legend: group ? { type: "scroll" } : { show: false },
      grid: { top: group ? 30 : 12 },
      tooltip: { trigger: "axis", axisPointer: { type: type === "bar" ? "shadow" : "line" } },
      xAxis: {
        type: "category",
        data: view.buckets.map((bucket) => bucketLabel(bucket, interval, tz)),
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (value) => formatNumber(value) } },
      series: view.series.map((series) => ({
        name: groupValueName(group, series.value),
        type,
        stack: group && type === "bar" ? "total" : undefined,
        data: series.data,
        smooth: type === "line",
        showSymbol: false,
        barMaxWidth: 28,
        itemStyle: group === "sentiment" && SENTIMENT_COLOURS[series.value || "unknown"] ? { color: SENTIMENT_COLOURS[series.value || "unknown"] } : undefined,
        emphasis: { focus: "series" },
      })),
    };
  }, [view, options.chart, interval, tz]);

  const onPoint = (params) => {
    if (!drill || !view || !loaded.range) return;
    const series = view.series[params.seriesIndex];
    const bounds = bucketBounds(view.buckets, params.dataIndex, rangeOf(loaded));
    openExplorer(exploreUrl(filters, rangeOf(loaded), { ...bounds, ...groupNarrowing(group, series && series.value) }));
  };

  const total = view ? view.series.reduce((sum, series) => sum + series.data.reduce((a, b) => a + b, 0), 0) : 0;
  return html`<${WidgetFrame}
    type="volume"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    chart=${chart}
    live=${true}
    subtitle=${view ? `${measureName(measure)} · ${formatNumber(total)}` : null}
    csv=${() => loaded.data && { columns: loaded.data.columns, rows: loaded.data.rows }}
  >
    ${option ? html`<${Chart} option=${option} chartRef=${chart} onPoint=${onPoint} label=${title || definition.label()} />` : null}
    ${view ? html`<span class="widget__total" data-total=${total} hidden></span>` : null}
  </${WidgetFrame}>`;
}

/** The range the figures were read for, as the API echoed it (UTC instants). */
export function rangeOf(loaded) {
  const echoed = loaded.data && loaded.data.filters;
  return echoed ? { from: echoed.from, to: echoed.to, interval: echoed.interval } : loaded.range;
}

function seriesOf(data, group, measure) {
  const buckets = bucketsOf(data.rows);
  const position = new Map(buckets.map((bucket, index) => [bucket, index]));
  if (!group) return { buckets, series: [{ value: null, data: data.rows.map((row) => row[measure]) }] };
  const byValue = new Map();
  for (const row of data.rows) {
    const value = row[group] ?? null;
    if (!byValue.has(value)) byValue.set(value, new Array(buckets.length).fill(0));
    byValue.get(value)[position.get(row.bucket)] += row[measure];
  }
  const series = [...byValue.entries()]
    .map(([value, values]) => ({ value, data: values, total: values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
  return { buckets, series };
}

// A live post added to the loaded rows: its bucket (or a new one, when the hour has turned) gains it.
function tick(data, post, created, group, measure) {
  const buckets = bucketsOf(data.rows);
  let index = bucketIndexOf(buckets, created);
  if (index < 0) return data;
  const rows = data.rows.slice();
  const stepMs = buckets.length > 1 ? Date.parse(buckets[1]) - Date.parse(buckets[0]) : 3_600_000;
  const last = buckets[buckets.length - 1];
  if (index === buckets.length - 1 && created >= Date.parse(last) + stepMs) {
    // The next bucket has begun: open it (its label in UTC; the next read brings the zone's form).
    const start = new Date(Date.parse(last) + stepMs * Math.floor((created - Date.parse(last)) / stepMs)).toISOString();
    rows.push({ bucket: start, ...(group ? { [group]: null } : {}), posts: 0, engagement: 0, reach: 0 });
    buckets.push(start);
    index = buckets.length - 1;
  }
  const bucket = buckets[index];
  const values = group ? [].concat(postGroupValue(post, group) ?? null) : [undefined];
  const amount = measureOf(post, measure);
  for (const value of values) {
    let found = rows.findIndex((row) => row.bucket === bucket && (!group || (row[group] ?? null) === value));
    if (found < 0) {
      rows.push({ bucket, ...(group ? { [group]: value } : {}), posts: 0, engagement: 0, reach: 0 });
      found = rows.length - 1;
    }
    rows[found] = { ...rows[found], [measure]: (rows[found][measure] || 0) + amount };
  }
  return { ...data, rows };
}

definition.component = VolumeWidget;

// trends: the hashtags, terms or topics bursting in the last window of the range against their
// baseline (docs/insights.md), ranked by surprise. A row opens the window's posts with that item.
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { analyticsQuery, exploreUrl, queryValue } from "./filters.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { Table } from "./table.js";
import { rangeOf } from "./volume.js";

const KINDS = ["hashtags", "terms", "topics"];
const WINDOWS = [900, 3600, 6 * 3600, 86_400];

export const definition = {
  type: "trends",
  label: () => t("Trends"),
  size: { w: 4, h: 5 },
  defaults: { kind: "hashtags", window: 3600, limit: 10 },
  fields: [
    {
      name: "kind",
      label: () => t("Trending"),
      choices: KINDS,
      choiceLabel: (value) => ({ hashtags: t("Hashtags"), terms: t("Words"), topics: t("Topics") })[value],
    },
    { name: "window", label: () => t("Window"), choices: WINDOWS, choiceLabel: windowName },
  ],
};

function windowName(seconds) {
  if (seconds >= 86_400) return t("Last day");
  if (seconds >= 3600) return t("Last {count} h", { count: seconds / 3600 });
  return t("Last {count} min", { count: seconds / 60 });
}

/** The query and narrowing of a trend's posts: a hashtag, a word, or a topic. */
function itemNarrowing(kind, item) {
  if (kind === "topics") return { topics: [item] };
  if (kind === "hashtags") return { q: `#${item}` };
  return { q: queryValue(item) };
}

export function TrendsWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const kind = KINDS.includes(options.kind) ? options.kind : "hashtags";
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) =>
      api.get("/api/v1/analytics/trends", {
        query: analyticsQuery(filters, range, { kind, window: options.window, limit: options.limit }),
        signal,
      }),
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 60_000 });

  const data = loaded.data;
  const windowRange = (range) => {
    const end = Date.parse(range.to);
    return { from: new Date(end - Number(options.window) * 1000).toISOString(), to: new Date(end).toISOString() };
  };
  const columns = [
    { key: "item", label: t("Trend"), render: (row) => (kind === "hashtags" ? `#${row.item}` : row.item) },
    { key: "count", label: t("Posts"), numeric: true, render: (row) => formatNumber(row.count) },
    { key: "growth", label: t("Growth"), numeric: true, render: (row) => `×${formatNumber(row.growth, { maximumFractionDigits: 1 })}` },
  ];
  return html`<${WidgetFrame}
    type="trends"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    emptyText=${t("Nothing is rising faster than usual right now.")}
    subtitle=${windowName(options.window)}
    csv=${() => data && { columns: data.columns, rows: data.rows }}
  >
    ${data
      ? html`<${Table}
          columns=${columns}
          rows=${data.rows}
          rowKey=${(row) => row.item}
          rowAttributes=${(row) => ({ "data-item": row.item })}
          rowHref=${drill ? (row) => exploreUrl(filters, rangeOf(loaded), { ...windowRange(rangeOf(loaded)), ...itemNarrowing(kind, row.item) }) : null}
        />`
      : null}
  </${WidgetFrame}>`;
}

definition.component = TrendsWidget;

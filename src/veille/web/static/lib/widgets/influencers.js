// influencers: the authors of the matching posts ranked by reach, engagement received and
// authority (docs/insights.md), with their category. A row opens that author's matching posts (or
// ``authorHref(row)``, as the influencers board opens the author's page).
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatCount, formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { analyticsQuery, exploreUrl, queryValue } from "./filters.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { sourceLabel } from "./posts.js";
import { Table } from "./table.js";
import { rangeOf } from "./volume.js";

const CATEGORIES = ["journalist", "blogger", "elected", "media", "brand", "other"];

export function categoryName(category) {
  return (
    {
      journalist: t("Journalist"),
      blogger: t("Blogger"),
      elected: t("Elected official"),
      media: t("Media"),
      brand: t("Brand"),
      other: t("Other"),
    }[category] || String(category || "")
  );
}

export const definition = {
  type: "influencers",
  label: () => t("Influencers"),
  size: { w: 6, h: 5 },
  defaults: { limit: 10, category: null },
  fields: [
    { name: "category", label: () => t("Category"), choices: [null, ...CATEGORIES], choiceLabel: (value) => (value ? categoryName(value) : t("All")) },
    { name: "limit", label: () => t("Authors shown"), choices: [5, 10, 20, 50], choiceLabel: (value) => formatNumber(value) },
  ],
};

export function InfluencersWidget({ title, filters, options: given, drill = true, range: fixedRange, authorHref }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) =>
      api.get("/api/v1/analytics/influencers", {
        query: analyticsQuery(filters, range, { limit: options.limit, category: options.category || null }),
        signal,
      }),
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 120_000 });

  const data = loaded.data;
  const columns = [
    {
      key: "name",
      label: t("Author"),
      render: (row) => html`<span class="cell-author"><span class="cell-author__name">${row.name || `@${row.handle}`}</span>
        <span class="cell-author__handle">@${row.handle} · ${sourceLabel(row.source)}</span></span>`,
    },
    { key: "category", label: t("Category"), render: (row) => categoryName(row.category) },
    { key: "followers", label: t("Followers"), numeric: true, render: (row) => formatCount(row.followers) },
    { key: "posts", label: t("Posts"), numeric: true, render: (row) => formatNumber(row.posts) },
    { key: "score", label: t("Score"), numeric: true, render: (row) => formatNumber(row.score, { maximumFractionDigits: 0 }) },
  ];
  return html`<${WidgetFrame}
    type="influencers"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    csv=${() => data && { columns: data.columns, rows: data.rows }}
  >
    ${data
      ? html`<${Table}
          columns=${columns}
          rows=${data.rows}
          rowKey=${(row) => `${row.source}:${row.handle}`}
          rowAttributes=${(row) => ({ "data-author": row.handle })}
          rowHref=${authorHref
            ? authorHref
            : drill
            ? (row) => exploreUrl(filters, rangeOf(loaded), { q: `author:${queryValue(row.handle)}`, sources: [row.source] })
            : null}
        />`
      : null}
  </${WidgetFrame}>`;
}

definition.component = InfluencersWidget;

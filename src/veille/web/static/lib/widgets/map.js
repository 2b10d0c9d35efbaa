// map: a world map of the posts per country, or of their net sentiment (red to green). Countries
// come from the rollups (the posts per sentiment and country over the range); posts of unknown country are
// counted beside the map. Click a country: its posts (or, given ``onCountry``, the host's own
// reaction, as the countries board opens the country's panel).
import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { Chart, ensureWorldMap } from "./chart.js";
import { alphaCode, countryName, numericCode } from "./countries.js";
import { analyticsQuery, exploreUrl } from "./filters.js";
import { openExplorer, useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { formatNet } from "./sentiment.js";
import { rangeOf } from "./volume.js";

export const definition = {
  type: "map",
  label: () => t("Countries"),
  size: { w: 6, h: 5 },
  defaults: { measure: "posts" },
  fields: [
    {
      name: "measure",
      label: () => t("Colour by"),
      choices: ["posts", "net_sentiment"],
      choiceLabel: (value) => (value === "net_sentiment" ? t("Net sentiment") : t("Posts")),
    },
  ],
};

async function loadCountries(filters, range, signal) {
  // One request: the posts per sentiment label and country over the whole range (``totals``: no
  // buckets, so whole days come from the day rollups), ``posts`` counting every label and none.
  const query = analyticsQuery(filters, range, { group_by: "country", totals: "true" });
  const sentiment = await api.get("/api/v1/analytics/sentiment", { query, signal });
  const byCountry = new Map();
  for (const row of sentiment.rows) {
    const code = row.country ?? null;
    const item = byCountry.get(code) || { country: code, posts: 0, positive: 0, neutral: 0, negative: 0 };
    item.posts += row.posts;
    item.positive += row.positive;
    item.neutral += row.neutral;
    item.negative += row.negative;
    byCountry.set(code, item);
  }
  const rows = [...byCountry.values()]
    .filter((item) => item.posts > 0)
    .map((item) => {
      const scored = item.positive + item.neutral + item.negative;
      return { ...item, net_sentiment: scored ? (item.positive - item.negative) / scored : null };
    })
    .sort((a, b) => b.posts - a.posts);
  return { rows, filters: sentiment.filters };
}

function lightPage() {
  return document.body.classList.contains("theme-light") || document.documentElement.classList.contains("theme-light");
}

function subtitleOf(countries, unknown) {
  const parts = [t("{count} countries", { count: formatNumber(countries) })];
  if (unknown) parts.push(t("{count} posts of unknown country", { count: formatNumber(unknown) }));
  return parts.join(" · ");
}

export function MapWidget({ title, filters, options: given, drill = true, range: fixedRange, onCountry }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const chart = useRef(null);
  const [mapReady, setMapReady] = useState(false);
  const [mapError, setMapError] = useState(null);
  useEffect(() => {
    ensureWorldMap().then(() => setMapReady(true), (error) => setMapError(error));
  }, []);
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) => loadCountries(filters, range, signal),
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 60_000 });

  const sentimentView = options.measure === "net_sentiment";
  const rows = loaded.data ? loaded.data.rows : [];
  const located = rows.filter((row) => row.country && numericCode(row.country));
  const unknown = rows.filter((row) => !row.country).reduce((sum, row) => sum + row.posts, 0);
  const option = useMemo(() => {
    if (!mapReady || !loaded.data) return null;
    const max = Math.max(1, ...located.map((row) => row.posts));
    return {
      tooltip: {
        trigger: "item",
        formatter: (item) => {
          const row = item.data && item.data.row;
          if (!row) return `${countryName(alphaCode(item.name)) || item.name}: 0`;
          return `${countryName(row.country)}<br>${t("Posts")}: ${formatNumber(row.posts)}<br>${t("Net sentiment")}: ${formatNet(row.net_sentiment)}`;
        },
      },
      visualMap: sentimentView
        ? { min: -1, max: 1, calculable: false, show: false, inRange: { color: ["#f43f5e", "#fbbf24", "#22c55e"] } }
        : // Few posts fade into the page, many stand out: on a light page the scale runs the other way.
          { min: 0, max, show: false, inRange: { color: lightPage() ? ["#bae6fd", "#38bdf8", "#1d4e89"] : ["#1d4e89", "#38bdf8", "#bae6fd"] } },
      series: [
        {
          type: "map",
          map: "world",
          nameProperty: "iso",
          roam: true,
          showLegendSymbol: false,
          // Antarctica left out: the inhabited world gets the room.
          boundingCoords: [
            [-170, 80],
            [190, -57],
          ],
          itemStyle: { areaColor: "rgba(148,163,184,0.18)", borderColor: "rgba(148,163,184,0.35)", borderWidth: 0.5 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#a78bfa" } },
          select: { disabled: true },
          data: located
            .filter((row) => !sentimentView || row.net_sentiment !== null)
            .map((row) => ({ name: numericCode(row.country), value: sentimentView ? row.net_sentiment : row.posts, row })),
        },
      ],
    };
  }, [mapReady, loaded.data, sentimentView]);

  const onPoint = (params) => {
    const code = params.data && params.data.row ? params.data.row.country : alphaCode(params.name);
    if (onCountry && code) {
      onCountry(code);
      return;
    }
    if (!drill || !code || !loaded.data) return;
    openExplorer(exploreUrl(filters, rangeOf(loaded), { countries: [code] }));
  };

  const state = mapError ? "error" : loaded.status === "ready" && !mapReady ? "loading" : loaded.status;
  return html`<${WidgetFrame}
    type="map"
    title=${title || definition.label()}
    state=${state}
    error=${mapError || loaded.error}
    onRetry=${loaded.refresh}
    chart=${chart}
    subtitle=${loaded.data ? subtitleOf(located.length, unknown) : null}
    csv=${() => loaded.data && { columns: ["country", "posts", "positive", "neutral", "negative", "net_sentiment"], rows }}
  >
    ${option ? html`<${Chart} option=${option} chartRef=${chart} onPoint=${onPoint} label=${title || definition.label()} />` : null}
    ${located.length
      ? html`<ol class="widget__legend-list" aria-label=${t("Countries with the most posts")}>
          ${located.slice(0, 5).map(
            (row) => html`<li key=${row.country} data-country=${row.country}>
              ${drill
                ? html`<a href=${exploreUrl(filters, rangeOf(loaded), { countries: [row.country] })} data-explore="country">${countryName(row.country)}</a>`
                : html`<span>${countryName(row.country)}</span>`}
              <b>${sentimentView ? formatNet(row.net_sentiment) : formatNumber(row.posts)}</b>
            </li>`,
          )}
        </ol>`
      : null}
  </${WidgetFrame}>`;
}

definition.component = MapWidget;

// /countries: the country monitor — a world map of the volume and one of the net sentiment, the
// countries of the registry (every country where a brand account is registered, and every country
// with posts) in a table, and, for the country clicked on a map or in the table, its top topics,
// influencers and posts.
import { html } from "htm/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatNumber, formatPercent } from "veille/format.js";
import { t } from "veille/i18n.js";
import { brandAccounts } from "veille/widgets/accounts.js";
import { countryName } from "veille/widgets/countries.js";
import { analyticsQuery, exploreUrl, filtersKey } from "veille/widgets/filters.js";
import { normaliseFilters, resolveRange, Widget } from "veille/widgets/index.js";
import { formatNet } from "veille/widgets/sentiment.js";
import { Board, Cell, filtersQuery, mountBoard, Panel, topicLabel, useBoardFilters } from "./board.js";

function useLoaded(load, key) {
  const [state, setState] = useState({ state: "loading", data: null, error: null });
  useEffect(() => {
    let cancelled = false;
    setState({ state: "loading", data: null, error: null });
    load().then(
      (data) => !cancelled && setState({ state: data.rows.length ? "ready" : "empty", data, error: null }),
      (error) => !cancelled && setState({ state: "error", data: null, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return state;
}

function netClass(net) {
  if (net === null || net === undefined) return "";
  return net > 0.05 ? "net--good" : net < -0.05 ? "net--bad" : "";
}

async function loadCountries(filters, range) {
  const query = analyticsQuery(filters, range, { group_by: "country", interval: "day" });
  const [volume, sentiment, accounts] = await Promise.all([
    api.get("/api/v1/analytics/volume", { query }),
    api.get("/api/v1/analytics/sentiment", { query }),
    brandAccounts().catch(() => []),
  ]);
  const chosen = normaliseFilters(filters).countries;
  const byCountry = new Map();
  const entry = (code) => {
    if (!byCountry.has(code)) byCountry.set(code, { country: code, posts: 0, positive: 0, neutral: 0, negative: 0, registered: false });
    return byCountry.get(code);
  };
  for (const account of accounts) {
    if (account.country && (!chosen.length || chosen.includes(account.country))) entry(account.country).registered = true;
  }
  for (const row of volume.rows) if (row.country) entry(row.country).posts += row.posts;
  for (const row of sentiment.rows) {
    if (!row.country) continue;
    const item = entry(row.country);
    item.positive += row.positive;
    item.neutral += row.neutral;
    item.negative += row.negative;
  }
  const rows = [...byCountry.values()].map((item) => {
    const scored = item.positive + item.neutral + item.negative;
    return { ...item, net_sentiment: scored ? (item.positive - item.negative) / scored : null };
  });
  rows.sort((a, b) => b.posts - a.posts || countryName(a.country).localeCompare(countryName(b.country)));
  return { rows, total: rows.reduce((sum, row) => sum + row.posts, 0) };
}

function CountryTable({ loaded, selected, onSelect, filters, range }) {
  const rows = loaded.data ? loaded.data.rows : [];
  const top = Math.max(1, ...rows.map((row) => row.posts));
  return html`<${Panel}
    name="country-table"
    title=${t("Countries")}
    state=${loaded.state}
    error=${loaded.error}
    emptyText=${t("No brand account is registered and no post has a country in this period.")}
    subtitle=${loaded.data ? t("{count} countries", { count: formatNumber(rows.length) }) : null}
  >
    <table class="board-table">
      <thead><tr><th>${t("Country")}</th><th class="num">${t("Posts")}</th><th>${t("Share")}</th><th class="num">${t("Net sentiment")}</th><th class="num">${t("Posts behind")}</th></tr></thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr key=${row.country} data-country=${row.country} data-zero=${row.posts === 0 ? "true" : "false"} aria-selected=${selected === row.country ? "true" : "false"} onClick=${() => onSelect(row.country)}>
            <td><button type="button" class="linklike" data-select-country=${row.country}>${countryName(row.country)}</button></td>
            <td class="num">${formatNumber(row.posts)}</td>
            <td><span class="bar-cell"><span class="bar-cell__bar"><span style=${{ width: `${(100 * row.posts) / top}%` }}></span></span>${formatPercent(loaded.data.total ? row.posts / loaded.data.total : 0, { maximumFractionDigits: 0 })}</span></td>
            <td class=${`num ${netClass(row.net_sentiment)}`}>${formatNet(row.net_sentiment)}</td>
            <td class="num">${row.posts ? html`<a href=${exploreUrl(filters, range, { countries: [row.country] })} data-explore="country" onClick=${(event) => event.stopPropagation()}>${t("Open")}</a>` : null}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </${Panel}>`;
}

async function loadTopics(filters, range) {
  const query = analyticsQuery(filters, range, { group_by: "topic", interval: "day" });
  const [volume, sentiment] = await Promise.all([
    api.get("/api/v1/analytics/volume", { query }),
    api.get("/api/v1/analytics/sentiment", { query }),
  ]);
  const byTopic = new Map();
  const entry = (topic) => {
    if (!byTopic.has(topic)) byTopic.set(topic, { topic, posts: 0, positive: 0, negative: 0, scored: 0 });
    return byTopic.get(topic);
  };
  for (const row of volume.rows) if (row.topic) entry(row.topic).posts += row.posts;
  for (const row of sentiment.rows) {
    if (!row.topic) continue;
    const item = entry(row.topic);
    item.positive += row.positive;
    item.negative += row.negative;
    item.scored += row.positive + row.neutral + row.negative;
  }
  const rows = [...byTopic.values()]
    .filter((row) => row.posts > 0)
    .map((row) => ({ ...row, net_sentiment: row.scored ? (row.positive - row.negative) / row.scored : null }))
    .sort((a, b) => b.posts - a.posts)
    .slice(0, 12);
  return { rows };
}

function CountryTopics({ filters, range, topics }) {
  const loaded = useLoaded(() => loadTopics(filters, range), `${filtersKey(filters)}|${range.from}|${range.to}`);
  const rows = loaded.data ? loaded.data.rows : [];
  const top = Math.max(1, ...rows.map((row) => row.posts));
  return html`<${Panel} name="country-topics" title=${t("Top topics")} state=${loaded.state} error=${loaded.error} emptyText=${t("No post of this country matched a topic in this period.")}>
    <table class="board-table">
      <thead><tr><th>${t("Topic")}</th><th class="num">${t("Posts")}</th><th></th><th class="num">${t("Net sentiment")}</th></tr></thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr key=${row.topic} data-topic=${row.topic}>
            <td><a href=${exploreUrl(filters, range, { topics: [row.topic] })} data-explore="topic">${topicLabel(topics, row.topic)}</a></td>
            <td class="num">${formatNumber(row.posts)}</td>
            <td><span class="bar-cell"><span class="bar-cell__bar"><span style=${{ width: `${(100 * row.posts) / top}%` }}></span></span></span></td>
            <td class=${`num ${netClass(row.net_sentiment)}`}>${formatNet(row.net_sentiment)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </${Panel}>`;
}

function selectedFromAddress() {
  const code = new URLSearchParams(window.location.search).get("country");
  return code && /^[A-Z]{2}$/.test(code) ? code : null;
}

function CountriesBoard() {
  const { filters, topics, setFilters } = useBoardFilters({ range: "7d" });
  const [selected, setSelected] = useState(selectedFromAddress);
  const range = useMemo(() => resolveRange(filters), [filtersKey(filters)]);
  const loaded = useLoaded(() => loadCountries(filters, range), `${filtersKey(filters)}|${range.from}`);
  const select = (code) => {
    setSelected(code);
    const address = new URL(window.location.href);
    if (code) address.searchParams.set("country", code);
    else address.searchParams.delete("country");
    window.history.replaceState(null, "", address);
    if (code) requestAnimationFrame(() => document.getElementById("country-panel")?.scrollIntoView({ behavior: "smooth", block: "start" }));
  };
  const narrowed = useMemo(() => (selected ? { ...filters, countries: [selected] } : null), [filtersKey(filters), selected]);
  const authorHref = (row) => `/influencers/${encodeURIComponent(row.handle)}?platform=${encodeURIComponent(row.source)}&${filtersQuery(narrowed || filters)}`;
  return html`<${Board}
    name="countries"
    title=${t("Countries")}
    subtitle=${t("Where people speak of us and how they feel. Click a country for its topics, influencers and posts.")}
    filters=${filters}
    topics=${topics}
    onFilters=${setFilters}
  >
    <${Cell} span=${6} rows=${6} name="map-volume"><${Widget} type="map" title=${t("Posts per country")} filters=${filters} options=${{ measure: "posts" }} onCountry=${select} /></${Cell}>
    <${Cell} span=${6} rows=${6} name="map-sentiment"><${Widget} type="map" title=${t("Net sentiment per country")} filters=${filters} options=${{ measure: "net_sentiment" }} onCountry=${select} /></${Cell}>
    <${Cell} span=${12} rows=${0} name="table"><${CountryTable} loaded=${loaded} selected=${selected} onSelect=${select} filters=${filters} range=${range} /></${Cell}>
    ${selected
      ? html`<h2 class="board-section-title" id="country-panel" data-country-panel=${selected}>${countryName(selected)}<small>${selected}</small>
            <button type="button" class="btn btn--ghost btn--small" data-action="close-country" onClick=${() => select(null)}>${t("Close")}</button></h2>
          <${Cell} span=${4} rows=${7} name="country-topics"><${CountryTopics} filters=${narrowed} range=${range} topics=${topics} /></${Cell}>
          <${Cell} span=${4} rows=${7} name="country-influencers"><${Widget} type="influencers" title=${t("Influencers")} filters=${narrowed} options=${{ limit: 10 }} authorHref=${authorHref} /></${Cell}>
          <${Cell} span=${4} rows=${7} name="country-posts"><${Widget} type="top_posts" title=${t("Top posts")} filters=${narrowed} options=${{ limit: 8 }} /></${Cell}>`
      : html`<p class="board-note">${t("Click a country on a map or in the table to see its top topics, influencers and posts.")}</p>`}
  </${Board}>`;
}

mountBoard(CountriesBoard);

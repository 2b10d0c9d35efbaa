// The mention explorer (/explore): the query language in the search box (linted as it is typed),
// the filter bar, the matching posts newest first with their highlights (more as the list is
// scrolled), a drawer for one post (thread, author, topics, enrichment, sentiment correction), and
// the search's actions: add it as a topic, export every matching post.
//
// The page's address is the search: the drill-down addresses the widgets build (exploreUrl in
// veille/widgets/filters.js: q, from, to, tz, topics, countries, languages, sources, sentiment,
// include_duplicates, post) are read as they are, and sent to GET /api/v1/posts with the same
// meaning as the analytics, so a drill-down lists exactly the posts a figure counted.
import { html, render } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, withQuery } from "veille/api.js";
import { FilterBar } from "veille/filterbar.js";
import { formatCount, formatDateTime, formatNumber, webAddress } from "veille/format.js";
import { Highlighted } from "veille/highlight.js";
import { t, tn } from "veille/i18n.js";
import { LintNotes, QueryEditor, useLint } from "veille/query_editor.js";
import { countryName, languageName } from "veille/widgets/countries.js";
import { normaliseFilters, RANGE_PRESETS, resolveRange } from "veille/widgets/filters.js";
import { sentimentName, sourceLabel } from "veille/widgets/posts.js";
import { categoryName } from "veille/widgets/influencers.js";

const PAGE = 50;
const LISTS = { topics: "topic", countries: "country", languages: "lang", sources: "source", sentiment: "sentiment" };
const SENTIMENTS = ["positive", "neutral", "negative"];
// The enrichment's own names, in the reader's language (an entity without one shows its name).
const ENTITY_LABELS = {
  links: () => t("Links"),
  domains: () => t("Domains"),
  cashtags: () => t("Cashtags"),
  emojis: () => t("Emoji"),
  country_confidence: () => t("Country confidence"),
  country_from: () => t("Country taken from"),
};
const SHOWN_ABOVE = new Set(["hashtags", "mentions"]); // entities the drawer already shows

/** The search an address holds: {query, filters, post}. */
export function searchFromAddress(search) {
  const params = new URLSearchParams(search);
  const all = (name) => params.getAll(name).flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
  const from = params.get("from");
  const to = params.get("to");
  const preset = params.get("range");
  const range = from && to ? { from, to } : RANGE_PRESETS.includes(preset) ? preset : "7d";
  const filters = normaliseFilters({
    range,
    tz: params.get("tz") || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    topics: all("topics"),
    countries: all("countries"),
    languages: all("languages"),
    sources: all("sources"),
    sentiment: all("sentiment"),
    include_duplicates: params.get("include_duplicates") !== "false",
  });
  return { query: params.get("q") || "", filters, post: params.get("post") || null };
}

/** The address of a search (presets stay presets: the page moves with time). */
export function addressOf(query, filters, post) {
  const chosen = normaliseFilters(filters);
  const params = new URLSearchParams();
  if (query.trim()) params.append("q", query.trim());
  if (typeof chosen.range === "object") {
    params.append("from", chosen.range.from);
    params.append("to", chosen.range.to);
  } else {
    params.append("range", chosen.range);
  }
  params.append("tz", chosen.tz);
  for (const name of Object.keys(LISTS)) for (const value of chosen[name]) params.append(name, value);
  params.append("include_duplicates", chosen.include_duplicates ? "true" : "false");
  if (post) params.append("post", post);
  return `/explore?${params.toString()}`;
}

/** GET /api/v1/posts parameters for a search (the same names as the analytics). */
export function apiParams(query, filters) {
  const chosen = normaliseFilters(filters);
  const range = typeof chosen.range === "object" ? chosen.range : resolveRange(chosen);
  const params = { query: query.trim() || null, from: range.from, to: range.to, tz: chosen.tz };
  for (const [name, parameter] of Object.entries(LISTS)) params[parameter] = chosen[name].length ? chosen[name] : null;
  params.include_duplicates = chosen.include_duplicates ? null : "false";
  return params;
}

function PostRow({ post, selected, onOpen }) {
  const author = post.author || {};
  const sentiment = post.sentiment && post.sentiment.label;
  return html`<li class=${`post explore-post${sentiment ? ` post--${sentiment}` : ""}${selected ? " explore-post--selected" : ""}`} data-post-id=${post.id}>
    <button type="button" class="explore-post__open" onClick=${() => onOpen(post.id)} aria-label=${t("Open the post")}>
      <span class="post__head">
        <span class="post__author">${author.name || (author.handle ? `@${author.handle}` : t("unknown author"))}</span>
        ${author.name && author.handle ? html`<span class="post__handle">@${author.handle}</span>` : null}
        <span class="post__source">${sourceLabel(post.source)}</span>
        ${post.country ? html`<span class="post__country" title=${countryName(post.country)}>${post.country}</span>` : null}
        <time class="post__time" datetime=${post.created_at}>${formatDateTime(post.created_at)}</time>
      </span>
      <${Highlighted} text=${post.text} spans=${post.highlights} lang=${post.lang} />
      <span class="post__figures">
        ${sentiment ? html`<span class=${`post__sentiment post__sentiment--${sentiment}`} data-sentiment=${sentiment}>${sentimentName(sentiment)}</span>` : null}
        ${(post.topics || []).map((topic) => html`<span class="chip" data-topic=${topic.name}>${topic.name}</span>`)}
        <span class="post__figure" title=${t("Likes")}>♥ ${formatCount((post.metrics || {}).likes || 0)}</span>
        <span class="post__figure" title=${t("Reposts")}>⟲ ${formatCount((post.metrics || {}).reposts || 0)}</span>
      </span>
    </button>
  </li>`;
}

/** An enrichment value as text ("—" when empty): lists joined, objects as JSON. */
function entityText(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map((item) => (typeof item === "object" ? JSON.stringify(item) : String(item))).join(", ") : "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function Field({ label, children }) {
  return html`<div class="drawer__field"><dt>${label}</dt><dd>${children}</dd></div>`;
}

function ThreadItem({ id, relation }) {
  const [state, setState] = useState({ kind: "loading" });
  useEffect(() => {
    api.get(`/api/v1/posts/${encodeURIComponent(id)}`).then(
      (post) => setState({ kind: "ready", post }),
      () => setState({ kind: "missing" }),
    );
  }, [id]);
  const label = { reply_to: t("In reply to"), quote_of: t("Quoting"), repost_of: t("Repost of") }[relation];
  if (state.kind === "loading") return html`<li class="thread__item">${label}: ${t("Loading…")}</li>`;
  if (state.kind === "missing") return html`<li class="thread__item thread__item--missing">${label}: ${t("{id} is not stored here", { id })}</li>`;
  const post = state.post;
  return html`<li class="thread__item" data-post-id=${post.id}>
    <span class="thread__label">${label}</span>
    <span class="post__author">${(post.author || {}).name || `@${(post.author || {}).handle}`}</span>
    <span class="post__text" dir="auto">${post.text}</span>
  </li>`;
}

function AuthorCard({ post, params }) {
  const [author, setAuthor] = useState(null);
  const handle = (post.author || {}).handle;
  useEffect(() => {
    setAuthor(null);
    if (!handle) return;
    api
      .get(`/api/v1/analytics/authors/${encodeURIComponent(handle)}`, { query: { platform: post.source, from: params.from, to: params.to, tz: params.tz, posts_limit: 1 } })
      .then((page) => setAuthor(page.author || null), () => setAuthor(null));
  }, [handle, post.source]);
  const given = post.author || {};
  const followers = author ? author.followers : given.followers;
  return html`<section class="drawer__card author-card" data-author=${handle || ""}>
    <h3>${given.name || (handle ? `@${handle}` : t("unknown author"))}</h3>
    ${handle ? html`<p class="author-card__handle">@${handle} · ${sourceLabel(post.source)}</p>` : null}
    <dl class="drawer__fields">
      <${Field} label=${t("Followers")}>${followers === null || followers === undefined ? "—" : formatNumber(followers)}</${Field}>
      <${Field} label=${t("Category")}><span data-category=${author ? author.category || "" : ""}>${author && author.category ? categoryName(author.category) : "—"}</span></${Field}>
      <${Field} label=${t("Posts in the period")}>${author ? formatNumber(author.posts || 0) : "—"}</${Field}>
      <${Field} label=${t("Engagement in the period")}>${author ? formatNumber(author.engagement || 0) : "—"}</${Field}>
      ${author && author.verified ? html`<${Field} label=${t("Verified")}>✓</${Field}>` : null}
    </dl>
  </section>`;
}

function Drawer({ id, params, onClose, onChanged }) {
  const [state, setState] = useState({ kind: "loading" });
  const [correcting, setCorrecting] = useState(null);
  useEffect(() => {
    setState({ kind: "loading" });
    api.get(`/api/v1/posts/${encodeURIComponent(id)}`).then(
      (post) => setState({ kind: "ready", post }),
      (error) => setState({ kind: "error", message: error.message }),
    );
  }, [id]);
  const correct = async (label) => {
    setCorrecting(label);
    try {
      const post = await api.post(`/api/v1/posts/${encodeURIComponent(id)}/sentiment`, { label });
      setState({ kind: "ready", post, corrected: true });
      onChanged(post);
    } catch (error) {
      setState((previous) => ({ ...previous, correctionError: error.message }));
    } finally {
      setCorrecting(null);
    }
  };
  let body;
  if (state.kind === "loading") body = html`<p class="admin-empty" role="status">${t("Loading…")}</p>`;
  else if (state.kind === "error") body = html`<div class="banner banner--bad" role="alert">${state.message}</div>`;
  else {
    const post = state.post;
    const sentiment = post.sentiment || null;
    const relations = ["reply_to", "quote_of", "repost_of"].filter((name) => post[name]);
    body = html`
      <p class="drawer__meta"><time datetime=${post.created_at}>${formatDateTime(post.created_at)}</time> · ${sourceLabel(post.source)}
        ${webAddress(post.url) ? html` · <a href=${webAddress(post.url)} target="_blank" rel="noopener noreferrer">${t("Original")}</a>` : null}</p>
      <p class="drawer__text"><span class="post__text" dir="auto" lang=${post.lang || undefined}>${post.text}</span></p>
      ${relations.length ? html`<section class="drawer__card"><h3>${t("Thread")}</h3><ol class="thread">${relations.map((name) => html`<${ThreadItem} key=${name} id=${post[name]} relation=${name} />`)}</ol></section>` : null}
      <${AuthorCard} post=${post} params=${params} />
      <section class="drawer__card">
        <h3>${t("Topics")}</h3>
        ${(post.topics || []).length
          ? html`<p class="drawer__chips">${post.topics.map((topic) => html`<span class="chip" data-topic=${topic.name}>${topic.name}</span>`)}</p>`
          : html`<p class="muted">${t("No topic")}</p>`}
      </section>
      <section class="drawer__card">
        <h3>${t("Enrichment")}</h3>
        <dl class="drawer__fields">
          <${Field} label=${t("Language")}>${post.lang ? languageName(post.lang) : "—"}</${Field}>
          <${Field} label=${t("Country")}>${post.country ? countryName(post.country) : "—"}</${Field}>
          <${Field} label=${t("Sentiment")}><span data-field="sentiment" data-sentiment=${sentiment ? sentiment.label : ""}>${sentiment ? `${sentimentName(sentiment.label)} (${formatNumber(sentiment.score, { maximumFractionDigits: 2 })})` : "—"}</span></${Field}>
          <${Field} label=${t("Near-duplicate of")}>${post.duplicate_of || "—"}</${Field}>
          <${Field} label=${t("Hashtags")}>${(post.hashtags || []).join(" ") || "—"}</${Field}>
          <${Field} label=${t("Mentions")}>${(post.mentions || []).join(" ") || "—"}</${Field}>
          <${Field} label=${t("Brand account")}>${post.is_brand_account ? t("Yes") : t("No")}</${Field}>
          ${Object.entries(post.entities || {}).filter(([name]) => !SHOWN_ABOVE.has(name)).map(([name, value]) => html`<${Field} label=${ENTITY_LABELS[name] ? ENTITY_LABELS[name]() : name}>${entityText(value)}</${Field}>`)}
        </dl>
      </section>
      <section class="drawer__card" data-section="correct">
        <h3>${t("Correct the sentiment")}</h3>
        <div class="segmented" role="group" aria-label=${t("Correct the sentiment")}>
          ${SENTIMENTS.map((label) => html`<button type="button" data-action="correct-sentiment" data-label=${label} aria-pressed=${sentiment && sentiment.label === label ? "true" : "false"} disabled=${correcting !== null} onClick=${() => correct(label)}>${sentimentName(label)}</button>`)}
        </div>
        ${state.corrected ? html`<p class="muted" role="status" data-corrected="true">${t("Saved: the correction also trains the sentiment model.")}</p>` : null}
        ${state.correctionError ? html`<div class="banner banner--bad" role="alert">${state.correctionError}</div>` : null}
      </section>`;
  }
  return html`<aside class="drawer" role="dialog" aria-label=${t("Post")} data-post-id=${id} data-state=${state.kind}>
    <header class="drawer__head"><h2>${t("Post")}</h2><button type="button" class="btn btn--ghost btn--icon" data-action="close-drawer" onClick=${onClose} aria-label=${t("Close")}>×</button></header>
    <div class="drawer__body">${body}</div>
  </aside>`;
}

function Explorer() {
  const initial = useMemo(() => searchFromAddress(window.location.search), []);
  const [typed, setTyped] = useState(initial.query);
  const [query, setQuery] = useState(initial.query);
  const [filters, setFilters] = useState(initial.filters);
  const [openId, setOpenId] = useState(initial.post);
  const [topics, setTopics] = useState([]);
  const [results, setResults] = useState({ kind: "loading", items: [], cursor: null, scanned: 0 });
  const [more, setMore] = useState(false);
  const lint = useLint(typed);
  const sentinel = useRef(null);
  const generation = useRef(0);
  const pending = useRef(null);
  const params = useMemo(() => apiParams(query, filters), [query, JSON.stringify(filters)]);

  useEffect(() => {
    api.get("/api/v1/topics").then((answer) => setTopics(answer.items || []), () => setTopics([]));
  }, []);

  useEffect(() => {
    window.history.replaceState(null, "", addressOf(query, filters, openId));
  }, [query, JSON.stringify(filters), openId]);

  const load = async (cursor) => {
    // One request per page: the scroll observer and the button may both ask for the same one.
    if (cursor && pending.current === cursor) return;
    pending.current = cursor;
    const mine = cursor ? generation.current : ++generation.current;
    if (cursor) setMore(true);
    else setResults({ kind: "loading", items: [], cursor: null, scanned: 0 });
    try {
      const page = await api.get("/api/v1/posts", { query: { ...params, limit: PAGE, cursor } });
      if (mine !== generation.current) return;
      setResults((previous) => {
        const items = cursor ? [...previous.items, ...page.items] : page.items;
        return { kind: items.length ? "ready" : page.next_cursor ? "ready" : "empty", items, cursor: page.next_cursor, scanned: (cursor ? previous.scanned : 0) + page.scanned };
      });
    } catch (error) {
      if (mine !== generation.current) return;
      setResults((previous) => ({ ...previous, kind: "error", message: error.message, field: error.field }));
    } finally {
      if (cursor) setMore(false);
      if (pending.current === cursor) pending.current = null;
    }
  };

  useEffect(() => {
    load(null);
  }, [params]);

  // Infinite scroll: the next page when the end of the list comes into view.
  useEffect(() => {
    if (!sentinel.current || !results.cursor || more) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) load(results.cursor);
    }, { rootMargin: "400px" });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [results.cursor, more]);

  const search = () => {
    if (lint.errors.length) return;
    setQuery(typed);
  };
  const changed = (post) => setResults((previous) => ({ ...previous, items: previous.items.map((item) => (item.id === post.id ? { ...post, highlights: item.highlights } : item)) }));
  const exportHref = (format) => withQuery("/api/v1/posts/export", { ...params, format });
  const count = results.items.length;
  return html`<div class=${`explorer${openId ? " explorer--drawer" : ""}`} data-state=${results.kind}>
    <header class="page-head">
      <div><h1>${t("Explorer")}</h1><p class="page-head__sub">${t("Every post behind the figures, searched with the query language.")}</p></div>
      <div class="page-head__actions">
        <a class="btn" data-action="add-topic" href=${"/topics?query=" + encodeURIComponent(query)} aria-disabled=${query.trim() ? "false" : "true"}>${t("Add as a topic")}</a>
        <a class="btn" data-action="export-jsonl" href=${exportHref("jsonl")} download="posts.jsonl">${t("Export JSON Lines")}</a>
        <a class="btn" data-action="export-csv" href=${exportHref("csv")} download="posts.csv">${t("Export CSV")}</a>
      </div>
    </header>
    <form class="explore-search" role="search" onSubmit=${(event) => { event.preventDefault(); search(); }}>
      <${QueryEditor} value=${typed} onInput=${setTyped} onSubmit=${search} lint=${lint} label=${t("Search query")} placeholder=${t("e.g. novabox AND (panne* OR outage) AND NOT #jeu")} />
      <button type="submit" class="btn btn--primary" data-action="search" disabled=${lint.errors.length > 0}>${t("Search")}</button>
    </form>
    <${LintNotes} lint=${lint} />
    <${FilterBar} filters=${filters} topics=${topics} onChange=${setFilters} />
    <div class="explore-body">
      <section class="explore-results" aria-live="polite">
        <p class="explore-count" data-count=${count} data-complete=${results.cursor ? "false" : "true"}>
          ${results.kind === "loading" ? t("Searching…") : results.cursor ? tn("{n} post shown, more below", "{n} posts shown, more below", count, { n: formatNumber(count) }) : tn("{n} matching post", "{n} matching posts", count, { n: formatNumber(count) })}
          ${results.scanned && query.trim() ? html` <span class="muted">${t("({scanned} examined)", { scanned: formatNumber(results.scanned) })}</span>` : null}
        </p>
        ${results.kind === "error" ? html`<div class="banner banner--bad" role="alert" data-error-field=${results.field || ""}>${results.message}</div>` : null}
        ${results.kind === "empty" ? html`<div class="admin-empty"><h2>${t("No post matches")}</h2><p>${t("Widen the period or loosen the query.")}</p></div>` : null}
        <ol class="posts explore-list">
          ${results.items.map((post) => html`<${PostRow} key=${post.id} post=${post} selected=${post.id === openId} onOpen=${setOpenId} />`)}
        </ol>
        ${results.cursor ? html`<div ref=${sentinel} class="explore-more"><button type="button" class="btn" data-action="more" disabled=${more} onClick=${() => load(results.cursor)}>${more ? t("Loading…") : t("More posts")}</button></div>` : null}
      </section>
      ${openId ? html`<${Drawer} key=${openId} id=${openId} params=${params} onClose=${() => setOpenId(null)} onChanged=${changed} />` : null}
    </div>
  </div>`;
}

const mount = document.getElementById("explorer");
if (mount) render(html`<${Explorer} />`, mount);

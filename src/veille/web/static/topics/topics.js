// The topic editor (/topics): the taxonomy as a tree by kind, and for one topic a query editor with
// syntax colouring and the linter's notes at their column, a live preview over the recent posts
// (matches with highlights, the daily volume it would have had, overlaps with existing topics),
// "paste from another tool" (POST /api/v1/query/import), save, and a backfill with its progress.
//
// ``/topics?query=…`` opens a new topic with that query (the explorer's "Add as a topic").
import { html, render } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDate, formatNumber, formatPercent } from "veille/format.js";
import { Highlighted } from "veille/highlight.js";
import { t, tn } from "veille/i18n.js";
import { LintNotes, QueryEditor, useLint } from "veille/query_editor.js";
import { sourceLabel } from "veille/widgets/posts.js";
import { SharingFields, useMe, useTeamChoices } from "../sharing/common.js";

const KINDS = ["theme", "brand", "competitor", "product", "sensitive", "event"];
const DIALECTS = ["brandwatch", "talkwalker", "meltwater", "sprinklr", "x", "lucene"];
const DIALECT_NAMES = { brandwatch: "Brandwatch", talkwalker: "Talkwalker", meltwater: "Meltwater", sprinklr: "Sprinklr", x: "X (Twitter)", lucene: "Lucene / Elasticsearch" };
const PREVIEW_DAYS = 30;
const OVERLAP_WARNING = 0.3; // a share of common matches from which the overlap is called out
const MAX_OVERLAP_BANNERS = 3;
const BLANK = { name: "", label: "", kind: "theme", parent: "", query: "", enabled: true, isNew: true };

export function kindName(kind) {
  return { theme: t("Themes"), brand: t("Brands"), competitor: t("Competitors"), product: t("Products"), sensitive: t("Sensitive"), event: t("Events") }[kind] || kind;
}

/** The topics of one kind as a tree: [{topic, children}], children under their parent. */
export function topicTree(topics, kind) {
  const mine = topics.filter((topic) => topic.kind === kind);
  const names = new Set(mine.map((topic) => topic.name));
  const byParent = new Map();
  for (const topic of mine) {
    const parent = topic.parent && names.has(topic.parent) ? topic.parent : null;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(topic);
  }
  const grow = (parent) => (byParent.get(parent) || []).sort((a, b) => a.name.localeCompare(b.name)).map((topic) => ({ topic, children: grow(topic.name) }));
  return grow(null);
}

function Branch({ nodes, selected, onSelect }) {
  return html`<ul class="tree__list">
    ${nodes.map(
      ({ topic, children }) => html`<li key=${topic.name} data-topic=${topic.name}>
        <button type="button" class=${`tree__topic${topic.name === selected ? " tree__topic--selected" : ""}${topic.enabled ? "" : " tree__topic--off"}`} aria-current=${topic.name === selected ? "true" : undefined} onClick=${() => onSelect(topic.name)}>
          ${topic.colour ? html`<span class="tree__dot" style=${{ background: topic.colour }}></span>` : null}
          <span class="tree__name">${topic.label || topic.name}</span>
          ${topic.label ? html`<span class="tree__slug">${topic.name}</span>` : null}
        </button>
        ${children.length ? html`<${Branch} nodes=${children} selected=${selected} onSelect=${onSelect} />` : null}
      </li>`,
    )}
  </ul>`;
}

function Tree({ topics, selected, onSelect, onNew }) {
  return html`<nav class="tree" aria-label=${t("Taxonomy")}>
    <button type="button" class="btn btn--primary tree__new" data-action="new-topic" onClick=${onNew}>${t("New topic")}</button>
    ${KINDS.map((kind) => {
      const nodes = topicTree(topics, kind);
      return html`<section class="tree__kind" data-kind=${kind}>
        <h2>${kindName(kind)} <span class="muted">${formatNumber(topics.filter((topic) => topic.kind === kind).length)}</span></h2>
        ${nodes.length ? html`<${Branch} nodes=${nodes} selected=${selected} onSelect=${onSelect} />` : html`<p class="muted tree__empty">${t("None yet")}</p>`}
      </section>`;
    })}
  </nav>`;
}

function PastePanel({ onUse, onClose }) {
  const [dialect, setDialect] = useState("brandwatch");
  const [foreign, setForeign] = useState("");
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  const convert = async () => {
    setBusy(true);
    try {
      setAnswer({ kind: "ready", ...(await api.post("/api/v1/query/import", { dialect, query: foreign })) });
    } catch (error) {
      setAnswer({ kind: "error", message: error.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="paste" data-section="paste">
    <header class="paste__head"><h3>${t("Paste from another tool")}</h3><button type="button" class="btn btn--ghost btn--icon" onClick=${onClose} aria-label=${t("Close")}>×</button></header>
    <div class="paste__row">
      <label>${t("Written for")}
        <select data-field="dialect" value=${dialect} onChange=${(event) => setDialect(event.currentTarget.value)}>
          ${DIALECTS.map((name) => html`<option value=${name}>${DIALECT_NAMES[name]}</option>`)}
        </select>
      </label>
      <button type="button" class="btn" data-action="convert" disabled=${busy || !foreign.trim()} onClick=${convert}>${t("Convert")}</button>
    </div>
    <textarea class="paste__input" data-field="foreign-query" rows="3" spellcheck="false" aria-label=${t("The query as written for that tool")} placeholder=${t("Paste the query here")} value=${foreign} onInput=${(event) => setForeign(event.currentTarget.value)}></textarea>
    ${answer && answer.kind === "error" ? html`<div class="banner banner--bad" role="alert" data-import="refused">${answer.message}</div>` : null}
    ${answer && answer.kind === "ready"
      ? html`<div class="paste__answer" data-import=${answer.exact ? "exact" : "approximate"}>
          <p class=${answer.exact ? "paste__exact" : "paste__approximate"}>${answer.exact ? t("Same meaning in Veille:") : t("Converted, with differences listed below:")}</p>
          <pre class="paste__converted" data-field="converted">${answer.query}</pre>
          ${answer.warnings.length ? html`<ul class="qe-notes">${answer.warnings.map((warning) => html`<li class="qe-note qe-note--warning" data-import-warning>${warning}</li>`)}</ul>` : null}
          <button type="button" class="btn btn--primary" data-action="use-converted" onClick=${() => onUse(answer.query)}>${t("Use this query")}</button>
        </div>`
      : null}
  </section>`;
}

function DailyBars({ daily }) {
  const top = Math.max(1, ...daily.map((day) => day.posts));
  return html`<div class="bars" role="img" aria-label=${t("Daily volume over the last {days} days", { days: daily.length })} data-days=${daily.length}>
    ${daily.map((day) => html`<span class="bars__bar" data-day=${day.day} data-posts=${day.posts} title=${`${formatDate(day.day)}: ${formatNumber(day.posts)}`} style=${{ height: `${Math.max(2, (day.posts / top) * 100)}%` }}></span>`)}
  </div>`;
}

function Preview({ query, lint, topicName }) {
  const [state, setState] = useState({ kind: "idle" });
  useEffect(() => {
    if (!query.trim() || lint.pending || lint.errors.length) {
      setState({ kind: query.trim() ? "waiting" : "idle" });
      return undefined;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, kind: "loading" }));
    const timer = setTimeout(async () => {
      try {
        const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
        const answer = await api.post("/api/v1/query/preview", { query, days: PREVIEW_DAYS, tz, limit: 20, ...(topicName ? { topic: topicName } : {}) }, { signal: controller.signal });
        setState({ kind: "ready", ...answer });
      } catch (error) {
        if (error && error.name === "AbortError") return;
        setState({ kind: "error", message: error.message });
      }
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, lint.pending, lint.errors.length]);
  if (state.kind === "idle") return html`<section class="preview" data-state="empty"><p class="muted">${t("Type a query to see what it would catch.")}</p></section>`;
  if (state.kind === "waiting") return html`<section class="preview" data-state="loading"><p class="muted">${t("Fix the query to see its matches.")}</p></section>`;
  if (state.kind === "error") return html`<section class="preview" data-state="error"><div class="banner banner--bad" role="alert">${state.message}</div></section>`;
  if (state.kind === "loading" && state.items === undefined) return html`<section class="preview" data-state="loading"><p class="muted" role="status">${t("Matching the recent posts…")}</p></section>`;
  const overlaps = (state.overlaps || []).filter((overlap) => overlap.topic !== topicName);
  // The few topics that already cover most of this query (or that it mostly covers) are called out;
  // the rest are listed in one line.
  const heavy = overlaps
    .filter((overlap) => overlap.share_of_query >= OVERLAP_WARNING || overlap.share_of_topic >= OVERLAP_WARNING)
    .sort((a, b) => b.share_of_query - a.share_of_query || b.common - a.common)
    .slice(0, MAX_OVERLAP_BANNERS);
  return html`<section class="preview" data-state=${state.kind === "loading" ? "loading" : state.matched ? "ready" : "empty"} data-matched=${state.matched} data-scanned=${state.scanned}>
    <h3>${t("Preview: the last {days} days", { days: PREVIEW_DAYS })}</h3>
    <p class="preview__count">${tn("{n} matching post", "{n} matching posts", state.matched, { n: formatNumber(state.matched) })} · ${t("{scanned} posts read", { scanned: formatNumber(state.scanned) })}${state.complete ? "" : ` · ${t("the newest only")}`}</p>
    <${DailyBars} daily=${state.daily || []} />
    ${heavy.map((overlap) => html`<div class="banner banner--warning" role="status" data-overlap=${overlap.topic} data-owner-team=${(state.owner_teams || {})[overlap.topic] || ""}>
      ${t("Overlaps topic {topic}: {common} common posts, {query_share} of this query's matches and {topic_share} of the topic's.", { topic: overlap.topic, common: formatNumber(overlap.common), query_share: formatPercent(overlap.share_of_query), topic_share: formatPercent(overlap.share_of_topic) })}
      ${" "}${(state.owner_teams || {})[overlap.topic] ? t("Owned by team {team}: look in the catalogue before writing your own.", { team: state.owner_teams[overlap.topic] }) : t("Owned by no team.")}
    </div>`)}
    ${(state.similar || []).filter((item) => item.topic !== topicName && !heavy.some((overlap) => overlap.topic === item.topic)).map((item) => html`<div class="banner banner--warning" role="status" data-similar=${item.topic} data-owner-team=${item.owner_team || ""}>
      ${t("Topic {topic} already has nearly the same query ({share} of the words).", { topic: item.topic, share: formatPercent(item.similarity) })}
      ${" "}${item.owner_team ? t("Owned by team {team}: look in the catalogue before writing your own.", { team: item.owner_team }) : t("Owned by no team.")}
      ${" "}<a href=${`/catalogue?q=${encodeURIComponent(item.topic)}&kind=topic`}>${t("Open the catalogue")}</a>
    </div>`)}
    ${overlaps.length > heavy.length ? html`<p class="muted preview__overlaps">${t("Also shares posts with: {topics}", { topics: overlaps.filter((overlap) => !heavy.includes(overlap)).map((overlap) => `${overlap.topic} (${formatNumber(overlap.common)})`).join(", ") })}</p>` : null}
    <ol class="posts preview__posts">
      ${(state.items || []).map(({ post, spans }) => html`<li class="post preview__post" data-post-id=${post.id}>
        <span class="post__head"><span class="post__author">${(post.author || {}).name || `@${(post.author || {}).handle}`}</span><span class="post__source">${sourceLabel(post.source)}</span></span>
        <${Highlighted} text=${post.text} spans=${spans} lang=${post.lang} />
      </li>`)}
    </ol>
  </section>`;
}

function Backfill({ name, disabled }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    setJob(null);
    setError(null);
  }, [name]);
  const poll = async (id) => {
    try {
      const current = await api.get(`/api/v1/jobs/${id}`);
      setJob(current);
      if (current.state === "running") timer.current = setTimeout(() => poll(id), 400);
    } catch (failure) {
      setError(failure.message);
    }
  };
  const start = async () => {
    setError(null);
    try {
      const started = await api.post(`/api/v1/topics/${encodeURIComponent(name)}/backfill`, {});
      setJob(started);
      poll(started.id);
    } catch (failure) {
      setError(failure.message);
    }
  };
  const running = job && job.state === "running";
  return html`<section class="backfill" data-section="backfill" data-job-state=${job ? job.state : "none"}>
    <button type="button" class="btn" data-action="backfill" disabled=${disabled || running} onClick=${start}>${t("Backfill the history")}</button>
    ${job
      ? html`<div class="backfill__progress">
          <progress max="1" value=${job.fraction} aria-label=${t("Backfill progress")}></progress>
          <span>${job.state === "done" ? t("Done: {matched} of {done} posts match", { matched: formatNumber(job.matched), done: formatNumber(job.done) }) : job.state === "failed" ? t("Failed: {error}", { error: job.error || "" }) : t("{done} of {total} posts read", { done: formatNumber(job.done), total: formatNumber(job.total) })}</span>
        </div>`
      : html`<span class="muted">${t("Runs the saved query over every stored post, so its charts are full from day one.")}</span>`}
    ${error ? html`<div class="banner banner--bad" role="alert">${error}</div>` : null}
  </section>`;
}

function Editor({ topic, topics, onSaved }) {
  const [draft, setDraft] = useState(topic);
  const teams = useTeamChoices(useMe());
  const [pasting, setPasting] = useState(false);
  const [status, setStatus] = useState(null);
  useEffect(() => {
    setDraft(topic);
    setStatus(null);
  }, [topic]);
  const lint = useLint(draft.query);
  const set = (change) => setDraft((previous) => ({ ...previous, ...change }));
  const dirty = JSON.stringify(draft) !== JSON.stringify(topic);
  const save = async (event) => {
    event.preventDefault();
    setStatus({ kind: "saving" });
    const fields = { query: draft.query, kind: draft.kind, label: draft.label || null, parent: draft.parent || null, enabled: draft.enabled };
    // Sharing (docs/sharing.md): sent when set; a new topic's owner team defaults to the writer's first team.
    if (draft.visibility) fields.visibility = draft.visibility;
    if ((draft.owner_team || "") !== ((topic && topic.owner_team) || "")) fields.owner_team = draft.owner_team || null;
    try {
      const saved = draft.isNew
        ? await api.post("/api/v1/topics", { name: draft.name.trim(), ...fields })
        : await api.patch(`/api/v1/topics/${encodeURIComponent(draft.name)}`, fields);
      setStatus({ kind: "saved" });
      onSaved(saved);
    } catch (error) {
      setStatus({ kind: "error", message: error.message, field: error.field });
    }
  };
  const parents = topics.filter((other) => other.name !== draft.name && other.kind === draft.kind);
  return html`<form class="editor" data-topic=${draft.isNew ? "" : draft.name} data-dirty=${dirty ? "true" : "false"} onSubmit=${save}>
    <header class="editor__head">
      <h2>${draft.isNew ? t("New topic") : draft.label || draft.name}</h2>
      <div class="editor__actions">
        <button type="button" class="btn" data-action="paste" aria-expanded=${pasting ? "true" : "false"} onClick=${() => setPasting(!pasting)}>${t("Paste from another tool")}</button>
        <button type="submit" class="btn btn--primary" data-action="save" disabled=${!dirty || lint.errors.length > 0 || (status && status.kind === "saving") || !draft.name.trim()}>${t("Save")}</button>
      </div>
    </header>
    <div class="editor__fields">
      <label>${t("Name")}<input data-field="name" value=${draft.name} readOnly=${!draft.isNew} pattern="[a-z0-9][a-z0-9_\\-]{0,63}" placeholder="novabox_outage" onInput=${(event) => set({ name: event.currentTarget.value })} /></label>
      <label>${t("Label")}<input data-field="label" value=${draft.label || ""} onInput=${(event) => set({ label: event.currentTarget.value })} /></label>
      <label>${t("Kind")}<select data-field="kind" value=${draft.kind} onChange=${(event) => set({ kind: event.currentTarget.value, parent: "" })}>${KINDS.map((kind) => html`<option value=${kind}>${kindName(kind)}</option>`)}</select></label>
      <label>${t("Parent")}<select data-field="parent" value=${draft.parent || ""} onChange=${(event) => set({ parent: event.currentTarget.value })}><option value="">${t("None")}</option>${parents.map((other) => html`<option value=${other.name}>${other.label || other.name}</option>`)}</select></label>
      <${SharingFields} value=${{ owner_team: draft.owner_team || "", visibility: draft.visibility || "organisation" }} teams=${teams} emptyLabel=${draft.isNew ? t("your first team") : null} onChange=${(sharing) => set(sharing)} />
      <label class="editor__check"><input type="checkbox" data-field="enabled" checked=${draft.enabled} onChange=${(event) => set({ enabled: event.currentTarget.checked })} />${t("Enabled")}</label>
    </div>
    ${pasting ? html`<${PastePanel} onUse=${(query) => { set({ query }); setPasting(false); }} onClose=${() => setPasting(false)} />` : null}
    <label class="editor__query-label" for="topic-query">${t("Query")}</label>
    <${QueryEditor} value=${draft.query} onInput=${(query) => set({ query })} lint=${lint} rows=${4} label=${t("Query")} placeholder=${t("e.g. novabox AND (panne* OR outage)")} />
    <${LintNotes} lint=${lint} />
    ${status && status.kind === "error" ? html`<div class="banner banner--bad" role="alert" data-error-field=${status.field || ""}>${status.message}</div>` : null}
    ${status && status.kind === "saved" ? html`<p class="muted" role="status" data-saved="true">${t("Saved. New posts are matched at once; backfill to match the history.")}</p>` : null}
    ${draft.isNew ? null : html`<${Backfill} name=${draft.name} disabled=${dirty || !draft.enabled} />`}
    <${Preview} query=${draft.query} lint=${lint} topicName=${draft.isNew ? null : draft.name} />
  </form>`;
}

function TopicEditor() {
  const asked = useMemo(() => new URLSearchParams(window.location.search), []);
  const [topics, setTopics] = useState(null);
  const [selected, setSelected] = useState(asked.get("topic"));
  const [fresh, setFresh] = useState(() => (asked.get("query") ? { ...BLANK, query: asked.get("query") } : null));
  const [error, setError] = useState(null);
  const reload = () => api.get("/api/v1/topics").then((answer) => setTopics(answer.items || []), (failure) => setError(failure.message));
  useEffect(() => {
    reload();
  }, []);
  if (error) return html`<div class="banner banner--bad" role="alert">${error}</div>`;
  if (topics === null) return html`<p class="admin-empty" role="status">${t("Loading…")}</p>`;
  const current = topics.find((topic) => topic.name === selected);
  const editing = fresh || (current ? { ...current, label: current.label || "", parent: current.parent || "", isNew: false } : null);
  const select = (name) => {
    setFresh(null);
    setSelected(name);
    window.history.replaceState(null, "", `/topics?topic=${encodeURIComponent(name)}`);
  };
  const saved = (topic) => {
    reload().then(() => select(topic.name));
  };
  return html`<div class="topics-page" data-state="ready">
    <header class="page-head">
      <div><h1>${t("Topics")}</h1><p class="page-head__sub">${t("The taxonomy every post is matched against, live.")}</p></div>
    </header>
    <div class="topics-layout">
      <${Tree} topics=${topics} selected=${fresh ? null : selected} onSelect=${select} onNew=${() => setFresh({ ...BLANK })} />
      ${editing
        ? html`<${Editor} key=${editing.isNew ? "new" : editing.name} topic=${editing} topics=${topics} onSaved=${saved} />`
        : html`<div class="admin-empty editor-empty"><h2>${t("Choose a topic, or create one")}</h2><p>${t("Its query, a preview of what it catches and its backfill open here.")}</p></div>`}
    </div>
  </div>`;
}

const mount = document.getElementById("topics");
if (mount) render(html`<${TopicEditor} />`, mount);

// The live social wall. On load: the newest posts from the API, then new ones over Server-Sent
// Events (same origin, so the session cookie goes along). Cards stack in columns, newest on top.
// Post text is data: every piece of it reaches the page as a Preact text child, never as HTML.
import { Component, html, render } from "htm/preact";
import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";
import { formatAge, formatCount, formatNumber, formatTime } from "veille/format.js";
import { openStream } from "veille/live.js";
import { hueOf, initials, segmentText, textSize } from "./format.js";

const INITIAL_POSTS = 30;
const MAX_CARDS = 60;
const TICK_MS = 15_000;
// New cards are inserted at most every FLUSH_MS: a post arriving on a calm wall is shown COLLECT_MS
// later (with the rest of its burst); in a sustained flow the wall shows, every FLUSH_MS, the newest
// posts that came (one row at most), so that every screen is within a quarter of a second of the
// hub and legible at five metres.
const FLUSH_MS = 150;
const COLLECT_MS = 60;
// Insertions closer than this are "busy": the cards then appear without animation (the slot
// opening lays the columns out again, and the masked grid is repainted, at every frame).
const CALM_MS = 1_000;
// More posts than this within CALM_MS, with insertions closer than CALM_MS, is a sustained flow:
// only the newest row of each insertion is shown (the others are counted). Below it every post is
// shown, even when a burst reaches the page in several reads of the stream.
const SUSTAINED_POSTS = 30;
const RATE_WINDOW_MS = 60_000;
const MIN_COLUMN_REM = 17;
const TRENDING_SHOWN = 3;

const SOURCE_NAMES = {
  bluesky: "Bluesky",
  mastodon: "Mastodon",
  x: "X",
  twitter: "X",
  reddit: "Reddit",
  rss: "RSS",
  hackernews: "Hacker News",
  youtube: "YouTube",
  push: "API",
  file: t("File"),
  simulator: t("Simulator"),
};

// Source icons: inline SVG drawn for Veille (24×24, white on the source's colour).
const SOURCE_ICONS = {
  bluesky: html`<path
    d="M12 11.2C10.6 8.1 7 3.8 4.4 3.8c-1.5 0-1.9 1.3-1.7 3.1.3 2.9 1.5 4.6 4.9 4.8-3.4.6-4.5 2.5-2.7 4.6 2.1 2.5 4.6 1.4 5.9-1.6L12 13.3l1.2 1.4c1.3 3 3.8 4.1 5.9 1.6 1.8-2.1.7-4-2.7-4.6 3.4-.2 4.6-1.9 4.9-4.8.2-1.8-.2-3.1-1.7-3.1-2.6 0-6.2 4.3-7.6 7.4z"
  />`,
  mastodon: html`<path
      d="M12 2.8c-3.9 0-7.2 1-7.8 4.1-.4 2.4-.4 5.6.2 7.9.8 3.1 3.7 4.5 7.4 4.6 1.3 0 2.6-.2 3.7-.5v-2c-1.1.3-2.4.5-3.7.4-1.7-.1-2.9-.6-3.1-2 1.4.3 2.9.5 4.3.5 3.6 0 6.6-1.4 6.9-4.5.2-1.9.2-3.3 0-4.8-.6-2.8-4-3.7-7.9-3.7z"
    /><path
      d="M8 12.6V9.4a1.9 1.9 0 0 1 3.8 0v2M11.8 11.4V9.4a1.9 1.9 0 0 1 3.8 0v3.2"
      fill="none"
      stroke="var(--badge)"
      stroke-width="1.7"
      stroke-linecap="round"
    />`,
  x: html`<path d="M5.5 4.5l13 15" stroke="currentColor" stroke-width="3.4" stroke-linecap="round" /><path
      d="M18.5 4.5l-13 15"
      stroke="currentColor"
      stroke-width="1.7"
      stroke-linecap="round"
    />`,
  reddit: html`<ellipse cx="12" cy="14.3" rx="8.2" ry="5.6" /><circle cx="4.3" cy="10.6" r="2" /><circle
      cx="19.7"
      cy="10.6"
      r="2"
    /><circle cx="17.4" cy="4.6" r="1.8" /><path
      d="M12 8.7l1.3-4.6 4.1.5"
      fill="none"
      stroke="currentColor"
      stroke-width="1.3"
      stroke-linecap="round"
    /><circle cx="8.9" cy="13.4" r="1.3" fill="var(--badge)" /><circle
      cx="15.1"
      cy="13.4"
      r="1.3"
      fill="var(--badge)"
    /><path
      d="M9 16.6c1.8 1.2 4.2 1.2 6 0"
      fill="none"
      stroke="var(--badge)"
      stroke-width="1.2"
      stroke-linecap="round"
    />`,
  rss: html`<circle cx="6" cy="18" r="2.3" /><path
      d="M4.2 10.8a9 9 0 0 1 9 9M4.2 4.6a15.2 15.2 0 0 1 15.2 15.2"
      fill="none"
      stroke="currentColor"
      stroke-width="2.6"
      stroke-linecap="round"
    />`,
  hackernews: html`<path
    d="M7 5l5 7.6L17 5M12 12.6V19.5"
    fill="none"
    stroke="currentColor"
    stroke-width="2.8"
    stroke-linecap="round"
    stroke-linejoin="round"
  />`,
  youtube: html`<rect x="2.2" y="5.2" width="19.6" height="13.6" rx="4.2" /><path
      d="M10 8.9v6.2l5.4-3.1z"
      fill="var(--badge)"
    />`,
  push: html`<path
    d="M12 19.5V7M6.5 12.2 12 6.7l5.5 5.5M5 3.8h14"
    fill="none"
    stroke="currentColor"
    stroke-width="2.5"
    stroke-linecap="round"
    stroke-linejoin="round"
  />`,
  file: html`<path
    d="M7 2.8h6.8L19 8v12.2a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V3.8a1 1 0 0 1 1-1zM13.5 3v5.3H19M9 13h6M9 16.6h6"
    fill="none"
    stroke="currentColor"
    stroke-width="1.9"
    stroke-linejoin="round"
    stroke-linecap="round"
  />`,
  simulator: html`<path d="M11 2.5l2 6.2 6.2 2-6.2 2-2 6.2-2-6.2-6.2-2 6.2-2z" /><path
      d="M18.5 15.2l.9 2.5 2.5.9-2.5.9-.9 2.5-.9-2.5-2.5-.9 2.5-.9z"
    />`,
  other: html`<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="1.9" /><path
      d="M3.5 12h17M12 3.5c2.6 2.4 3.6 5.3 3.6 8.5s-1 6.1-3.6 8.5c-2.6-2.4-3.6-5.3-3.6-8.5s1-6.1 3.6-8.5z"
      fill="none"
      stroke="currentColor"
      stroke-width="1.6"
    />`,
};
SOURCE_ICONS.twitter = SOURCE_ICONS.x;

function SourceBadge({ source }) {
  const known = Object.hasOwn(SOURCE_ICONS, source) ? source : "other";
  // hasOwn: a source named "constructor" is valid and must not read Object's prototype.
  const label = Object.hasOwn(SOURCE_NAMES, source) ? SOURCE_NAMES[source] : String(source);
  return html`<span class=${`source source--${known}`} title=${label} role="img" aria-label=${label}>
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">${SOURCE_ICONS[known]}</svg>
  </span>`;
}

const VerifiedMark = () =>
  html`<svg class="verified" viewBox="0 0 24 24" role="img" aria-label=${t("verified")}>
    <path
      fill="currentColor"
      d="M12 1.8l2.6 1.9 3.2-.1 1 3.1 2.6 1.9-1 3.1 1 3.1-2.6 1.9-1 3.1-3.2-.1L12 22.2l-2.6-1.9-3.2.1-1-3.1-2.6-1.9 1-3.1-1-3.1 2.6-1.9 1-3.1 3.2.1z"
    />
    <path d="M7.8 12.3l2.8 2.8 5.6-5.8" fill="none" stroke="var(--card)" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />
  </svg>`;

const METRIC_NAMES = { replies: t("Replies"), reposts: t("Reposts"), likes: t("Likes") };

const METRIC_ICONS = {
  replies: html`<path d="M4 5.5h16v10H9l-5 4z" />`,
  reposts: html`<path d="M6 10V7.5h11.5M14.5 4.5l3 3-3 3M18 14v2.5H6.5M9.5 19.5l-3-3 3-3" />`,
  likes: html`<path d="M12 19.5s-7.5-4.4-7.5-9.6A4.1 4.1 0 0 1 12 7.6a4.1 4.1 0 0 1 7.5 2.3c0 5.2-7.5 9.6-7.5 9.6z" />`,
};

function Metrics({ metrics }) {
  const shown = ["replies", "reposts", "likes"].filter((name) => metrics && metrics[name] > 0);
  if (!shown.length) return null;
  return html`<span class="metrics">
    ${shown.map(
      (name) => html`<span class=${`metric metric--${name}`} key=${name} title=${METRIC_NAMES[name]}>
        <svg viewBox="0 0 24 24" aria-hidden="true">${METRIC_ICONS[name]}</svg>${formatCount(metrics[name])}
      </span>`,
    )}
  </span>`;
}

function PostText({ text, lang }) {
  // Strings become text nodes; the <span>s only colour hashtags, mentions and links.
  const children = segmentText(text).map((segment, index) =>
    segment.kind === "text" ? segment.text : html`<span class=${`t-${segment.kind}`} key=${index}>${segment.shown}</span>`,
  );
  return html`<p class=${`card__text card__text--${textSize(text)}`} lang=${lang || undefined} dir="auto">${children}</p>`;
}

function Card({ entry, now }) {
  const { post } = entry;
  const author = post.author || {};
  const handle = author.handle || "unknown";
  const name = author.name || handle;
  const sentiment = post.sentiment && post.sentiment.label;
  const followers = Number.isFinite(author.followers) ? author.followers : null;
  const classes = ["card", sentiment ? `card--${sentiment}` : ""].join(" ").trim();
  return html`<article class=${classes} data-id=${post.id} data-post-id=${post.id} data-source=${post.source}>
    <header class="card__head">
      <span class="avatar" style=${{ "--hue": String(hueOf(handle)) }} aria-hidden="true">${initials(author.name, handle)}</span>
      <span class="card__who">
        <span class="card__name"><span class="card__name-text">${name}</span>${author.verified ? html`<${VerifiedMark} />` : null}</span>
        <span class="card__meta">
          <span class="card__handle">@${handle}</span>
          ${followers !== null ? html`<span class="card__followers"><b>${formatCount(followers)}</b> ${t("followers")}</span>` : null}
        </span>
      </span>
      <${SourceBadge} source=${post.source} />
    </header>
    <${PostText} text=${post.text} lang=${post.lang} />
    <footer class="card__foot">
      <time datetime=${post.created_at}>${formatAge(post.created_at, now)}</time>
      <${Metrics} metrics=${post.metrics} />
    </footer>
  </article>`;
}

// A card is drawn again only when its post or the minute shown changes: in a flow, a render that
// inserts one row leaves the other cards alone (drawing all sixty again cost most of the page's CPU).
class Slot extends Component {
  shouldComponentUpdate(next) {
    return next.entry !== this.props.entry || next.now !== this.props.now;
  }

  render({ entry, now }) {
    const fresh = entry.fresh ? `slot slot--fresh slot--${entry.fresh}` : "slot";
    return html`<div class=${fresh}>
      <div class="slot__clip"><div class="slot__pad"><${Card} entry=${entry} now=${now} /></div></div>
    </div>`;
  }
}

// --- state: posts in arrival order, each pinned to a column so that cards never jump sideways ---

function pickColumn(entries, columns) {
  const newestSeq = new Array(columns).fill(-1);
  for (const entry of entries) {
    if (entry.col < columns) newestSeq[entry.col] = Math.max(newestSeq[entry.col], entry.seq);
  }
  // The column whose top card is the oldest gets the new one: a sweep across the top row.
  let chosen = 0;
  for (let col = 1; col < columns; col += 1) if (newestSeq[col] < newestSeq[chosen]) chosen = col;
  return chosen;
}

// ``arrivals``: every post of the burst when only the newest are shown (all are counted once).
function addPosts(state, posts, fresh, arrivals = null) {
  let entries = state.entries.slice();
  let { nextSeq, total } = state;
  if (arrivals) {
    const known = new Set(entries.map((entry) => entry.post.id));
    for (const post of arrivals) {
      if (!post || typeof post.id !== "string" || known.has(post.id)) continue;
      known.add(post.id);
      total += 1;
    }
  }
  for (const post of posts) {
    if (!post || typeof post.id !== "string") continue;
    const known = entries.findIndex((entry) => entry.post.id === post.id);
    if (known >= 0) {
      // An updated post (new metrics, an edit, enrichment) replaces its card where it stands.
      entries[known] = { ...entries[known], post };
      continue;
    }
    entries.push({ post, seq: nextSeq, col: pickColumn(entries, state.columns), fresh });
    nextSeq += 1;
    if (!arrivals) total += 1;
    // A replay after a long cut can bring thousands of posts at once: keep the work per post bounded.
    if (entries.length > 2 * MAX_CARDS) entries = entries.slice(entries.length - MAX_CARDS);
  }
  if (entries.length > MAX_CARDS) entries = entries.slice(entries.length - MAX_CARDS);
  return { ...state, entries, nextSeq, total };
}

function relayout(state, columns) {
  if (columns === state.columns) return state;
  const entries = [];
  for (const entry of state.entries) entries.push({ ...entry, fresh: false, col: pickColumn(entries, columns) });
  return { ...state, columns, entries };
}

function reducer(state, action) {
  switch (action.type) {
    case "posts":
      return addPosts(state, action.posts, action.fresh, action.arrivals || null);
    case "columns":
      return relayout(state, action.columns);
    case "status":
      return action.status === state.status ? state : { ...state, status: action.status };
    default:
      return state;
  }
}

// --- layout, connection and clocks ---

function columnsFor(width) {
  const forced = Number.parseInt(new URLSearchParams(location.search).get("columns") || "", 10);
  if (forced >= 1 && forced <= 8) return forced;
  const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.max(1, Math.min(8, Math.floor(width / (rem * MIN_COLUMN_REM))));
}

// The newest posts of a burst, at most one row of the wall (older ones of the burst are counted, not shown).
function newestOf(queue, columns) {
  return queue.length <= columns ? queue : queue.slice(queue.length - columns);
}

function useLiveFeed(dispatch, onArrival, columnsRef) {
  useEffect(() => {
    let loaded = false;
    let flushTimer = null;
    let lastFlush = -Infinity; // not 0: a page opened less than CALM_MS ago is calm
    const heldBack = [];
    const queue = [];
    const recent = []; // [time, posts] of the insertions within CALM_MS

    const flush = () => {
      flushTimer = null;
      if (!queue.length) return;
      const now = performance.now();
      const busy = now - lastFlush < CALM_MS;
      lastFlush = now;
      const arrivals = queue.splice(0);
      recent.push([now, arrivals.length]);
      while (now - recent[0][0] > CALM_MS) recent.shift();
      const lately = recent.reduce((sum, [, count]) => sum + count, 0);
      // One render for the whole burst: arrivals are counted here, not re-rendered one by one.
      onArrival(arrivals.length);
      if (!busy || lately <= SUSTAINED_POSTS) {
        // A calm wall, or a burst reaching the page in several reads: every post of it is shown
        // (the newest MAX_CARDS), with the opening animation when the wall was calm.
        dispatch({ type: "posts", posts: arrivals, fresh: busy ? "busy" : "calm" });
        return;
      }
      // A sustained flow: the newest row of the burst at most, without animation.
      dispatch({ type: "posts", posts: newestOf(arrivals, columnsRef.current), fresh: "busy", arrivals });
    };
    const onLivePost = (post) => {
      if (!loaded) {
        heldBack.push(post);
        return;
      }
      queue.push(post);
      if (flushTimer !== null) return;
      // Calm: COLLECT_MS after the first post (the browser hands a burst's events over in separate
      // tasks: this gathers them into one insertion). In a flow: FLUSH_MS after the previous one.
      const wait = Math.max(COLLECT_MS, lastFlush + FLUSH_MS - performance.now());
      flushTimer = setTimeout(flush, wait);
    };

    // Subscribe first, then read the newest posts, so that nothing written in between is missed;
    // live posts that arrive during the read wait and are de-duplicated by id.
    const stream = openStream({
      on: { post: onLivePost },
      onStatus: (status) => dispatch({ type: "status", status }),
    });
    api
      .get("/api/v1/posts", { query: { limit: INITIAL_POSTS } })
      .then((page) => {
        const newestFirst = Array.isArray(page?.items) ? page.items : [];
        dispatch({ type: "posts", posts: newestFirst.slice().reverse(), fresh: false });
      })
      .catch((error) => {
        // A 401 has already sent the browser to the login page.
        if (error.status !== 401) console.warn("wall: could not load the newest posts", error);
      })
      .finally(() => {
        loaded = true;
        if (heldBack.length) {
          onArrival(heldBack.length);
          dispatch({ type: "posts", posts: heldBack.splice(0), fresh: "calm" });
        }
      });

    return () => {
      stream.close();
      clearTimeout(flushTimer);
    };
  }, []);
}

function useNow(intervalMs) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function Clock() {
  const now = useNow(1000);
  const shown = formatTime(now);
  return html`<time class="clock" datetime=${new Date(now).toISOString()}>${shown}</time>`;
}

const STATUS_LABELS = {
  connecting: t("Connecting"),
  live: t("Live"),
  "catching-up": t("Catching up"),
  reconnecting: t("Reconnecting"),
  offline: t("Offline"),
};

function LiveIndicator({ status }) {
  return html`<span class=${`live live--${status}`} data-status=${status} role="status" aria-live="polite">
    <span class="live__dot" aria-hidden="true"></span>${STATUS_LABELS[status] || status}
  </span>`;
}

function trendingTags(entries) {
  const counts = new Map();
  for (const { post } of entries) {
    for (const tag of new Set(post.hashtags || [])) counts.set(tag, (counts.get(tag) || 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TRENDING_SHOWN)
    .map(([tag]) => tag);
}

function Header({ title, state, ratePerMinute }) {
  const trending = trendingTags(state.entries);
  return html`<header class="wall-header">
    <div class="brand">
      <span class="brand__mark" aria-hidden="true">
        <svg viewBox="0 0 24 24"><path d="M3 12h3.5l2.2-6 4.3 12 2.4-6H21" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" /></svg>
      </span>
      <h1 class="wall-title">${title}</h1>
    </div>
    ${trending.length
      ? html`<div class="trending" aria-label=${t("trending hashtags")}>
          <span class="trending__label">${t("Trending")}</span>
          ${trending.map((tag) => html`<span class="trending__tag" key=${tag}>#${tag}</span>`)}
        </div>`
      : null}
    <div class="stats">
      <span class="stat"><b class="stat__value" data-counter>${formatNumber(state.total)}</b><span class="stat__label">${t("posts")}</span></span>
      <span class="stat"><b class="stat__value">${ratePerMinute}</b><span class="stat__label">${t("per min")}</span></span>
      <${LiveIndicator} status=${state.status} />
      <${Clock} />
    </div>
  </header>`;
}

function Wall({ title }) {
  const [state, dispatch] = useReducer(reducer, undefined, () => ({
    entries: [],
    nextSeq: 0,
    total: 0,
    columns: columnsFor(window.innerWidth),
    status: "connecting",
  }));
  // Arrivals per second over the last minute, counted without a render per post.
  const arrivals = useRef([]);
  const columnsRef = useRef(state.columns);
  columnsRef.current = state.columns;
  const now = useNow(TICK_MS);

  useLiveFeed(
    dispatch,
    (count) => arrivals.current.push([Date.now(), count]),
    columnsRef,
  );

  useEffect(() => {
    const onResize = () => dispatch({ type: "columns", columns: columnsFor(window.innerWidth) });
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);

  const cutoff = Date.now() - RATE_WINDOW_MS;
  arrivals.current = arrivals.current.filter(([moment]) => moment >= cutoff);
  const ratePerMinute = arrivals.current.reduce((sum, [, count]) => sum + count, 0);

  const columns = Array.from({ length: state.columns }, () => []);
  for (let index = state.entries.length - 1; index >= 0; index -= 1) {
    const entry = state.entries[index];
    columns[Math.min(entry.col, state.columns - 1)].push(entry);
  }

  return html`<div class="wall">
    <${Header} title=${title} state=${state} ratePerMinute=${formatNumber(ratePerMinute)} />
    ${state.entries.length === 0
      ? html`<div class="empty"><span class="empty__pulse" aria-hidden="true"></span>${t("Waiting for the first posts…")}</div>`
      : html`<main class="grid" style=${{ "--columns": String(state.columns) }} aria-live="off">
          ${columns.map(
            (column, col) => html`<div class="column" key=${col}>
              ${column.map((entry) => html`<${Slot} key=${entry.post.id} entry=${entry} now=${now} />`)}
            </div>`,
          )}
        </main>`}
  </div>`;
}

const mount = document.getElementById("wall");
if (mount) render(html`<${Wall} title=${mount.dataset.title || "Veille"} />`, mount);

// feed: the newest matching posts, new ones arriving on top as the hub stores them.
//
// The first page comes from GET /api/v1/posts (newest first). That route filters by time, source
// and language; topics, countries, sentiment and near-duplicates are tested here on each post
// (the same test as the live posts), reading a few pages until the widget is full. The filters are
// also sent to the route, which uses those it knows.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { normaliseFilters, postMatches } from "./filters.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { markSeen } from "./live_posts.js";
import { PostList } from "./posts.js";
import { useNow } from "./top_posts.js";

const PAGE = 100;
const MAX_PAGES = 5;

export const definition = {
  type: "feed",
  label: () => t("Live feed"),
  size: { w: 4, h: 6 },
  defaults: { limit: 20 },
  fields: [{ name: "limit", label: () => t("Posts shown"), choices: [10, 20, 50], choiceLabel: (value) => formatNumber(value) }],
};

async function loadFeed(filters, range, limit, signal) {
  const chosen = normaliseFilters(filters);
  const found = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES && found.length < limit; page += 1) {
    const answer = await api.get("/api/v1/posts", {
      query: {
        since: range.fromInstant,
        until: range.live ? null : range.toInstant,
        source: chosen.sources.length ? chosen.sources : null,
        lang: chosen.languages.length ? chosen.languages : null,
        topic: chosen.topics.length ? chosen.topics : null,
        country: chosen.countries.length ? chosen.countries : null,
        sentiment: chosen.sentiment.length ? chosen.sentiment : null,
        limit: PAGE,
        cursor,
      },
      signal,
    });
    for (const post of answer.items || []) if (postMatches(post, chosen) && found.length < limit) found.push(post);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  markSeen(found.map((post) => post.id));
  return { rows: found };
}

export function FeedWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const limit = Number(options.limit) || 20;
  const now = useNow(15_000);
  const [fresh, setFresh] = useState(() => new Set());
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) => loadFeed(filters, withInstant(range, filters), limit, signal),
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({
    filters,
    onPost: (post) => {
      loaded.update((data) => {
        const known = data.rows.findIndex((row) => row.id === post.id);
        if (known >= 0) {
          const rows = data.rows.slice();
          rows[known] = post;
          return { ...data, rows };
        }
        return { ...data, rows: [post, ...data.rows].slice(0, limit) };
      });
      setFresh((previous) => new Set([...previous, post.id].slice(-limit)));
    },
  });
  const data = loaded.data;
  return html`<${WidgetFrame}
    type="feed"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    live=${true}
    emptyText=${t("No post yet: new ones will appear here as they arrive.")}
    csv=${() =>
      data && {
        columns: ["id", "created_at", "source", "author", "country", "lang", "sentiment", "url", "text"],
        rows: data.rows.map((post) => ({
          ...post,
          author: post.author && post.author.handle,
          sentiment: post.sentiment && post.sentiment.label,
        })),
      }}
  >
    ${data ? html`<${PostList} posts=${data.rows} filters=${filters} range=${loaded.range} now=${now} drill=${drill} freshIds=${fresh} />` : null}
  </${WidgetFrame}>`;
}

// The API reads a local "from" (no offset) in the filters' zone; /api/v1/posts wants an instant.
function withInstant(range, filters) {
  const zone = normaliseFilters(filters).tz;
  const instant = (moment) => (/[zZ]$|[+-]\d\d:\d\d$/.test(moment) ? new Date(Date.parse(moment)).toISOString() : zonedToInstant(moment, zone));
  return { ...range, fromInstant: instant(range.from), toInstant: instant(range.to) };
}

/** A local date-time without offset, read in ``timeZone``, as an ISO instant. */
export function zonedToInstant(local, timeZone) {
  const guess = Date.parse(`${local.length === 10 ? `${local}T00:00:00` : local}Z`);
  const offsetAt = (millis) => {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    for (const { type, value } of format.formatToParts(millis)) parts[type] = value;
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second) - millis;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first)).toISOString();
}

definition.component = FeedWidget;

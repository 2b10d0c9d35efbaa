// The shared filters of a dashboard (or a wall) and what they become: the analytics API's query
// parameters, the explorer's address for a drill-down, and the test a live post must pass.
//
// A filters object is the API's dashboard filters:
//   {range: "24h"|"7d"|"30d"|{from, to}, tz, topics, countries, languages, sources, sentiment,
//    include_duplicates}
// Widgets get it from their host (a dashboard's filter bar, a wall's settings), never from the page
// address, so the same widget works anywhere.

export const RANGE_PRESETS = Object.freeze(["24h", "7d", "30d"]);
const PRESET_HOURS = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30 };
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_FILTERS = Object.freeze({
  range: "7d",
  tz: "UTC",
  topics: [],
  countries: [],
  languages: [],
  sources: [],
  sentiment: [],
  include_duplicates: true,
});

/** A complete filters object: missing fields take their defaults, single values become lists. */
export function normaliseFilters(filters) {
  const given = filters || {};
  const list = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value.slice() : [value]);
  return {
    range: given.range ?? DEFAULT_FILTERS.range,
    tz: given.tz || DEFAULT_FILTERS.tz,
    topics: list(given.topics),
    countries: list(given.countries),
    languages: list(given.languages),
    sources: list(given.sources),
    sentiment: list(given.sentiment),
    include_duplicates: given.include_duplicates !== false,
  };
}

/** True when the range ends now and moves with time (a preset): live posts belong to it. */
export function isLiveRange(filters) {
  return typeof normaliseFilters(filters).range === "string";
}

// Wall-clock parts of a moment in a time zone, as a Date whose UTC fields are those parts: lets us
// count whole local hours and days back from now without a date library.
function wallClock(millis, timeZone) {
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
  return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second));
}

const pad = (number) => String(number).padStart(2, "0");

// A local date-time without an offset ("2026-11-01T08:00:00"): the API reads it in the filters' tz.
function localIso(wall) {
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00`;
}

/** The bucket width a range reads best in: hours up to a week, days beyond. */
export function intervalFor(spanMs) {
  if (spanMs <= 2 * HOUR_MS) return "minute";
  if (spanMs <= 8 * DAY_MS) return "hour";
  return "day";
}

/**
 * The range as the API reads it: ``{from, to, interval, live}``. A preset ends now and starts on a
 * whole local hour (24h, 7d: the buckets are whole hours, the last one running) or a whole local
 * day (30d); a custom range is passed as given.
 */
export function resolveRange(filters, now = Date.now()) {
  const chosen = normaliseFilters(filters);
  if (typeof chosen.range === "object" && chosen.range) {
    const from = chosen.range.from;
    const to = chosen.range.to;
    const span = Date.parse(to) - Date.parse(from);
    return { from, to, interval: intervalFor(Number.isFinite(span) ? span : 7 * DAY_MS), live: false };
  }
  const hours = PRESET_HOURS[chosen.range] || PRESET_HOURS["7d"];
  const wall = wallClock(now, chosen.tz);
  const interval = intervalFor(hours * HOUR_MS);
  const start = new Date(wall.getTime());
  start.setUTCMinutes(0, 0, 0);
  if (interval === "day") {
    start.setUTCHours(0);
    start.setTime(start.getTime() - (hours / 24 - 1) * DAY_MS);
  } else {
    start.setTime(start.getTime() - (hours - 1) * HOUR_MS);
  }
  return { from: localIso(start), to: new Date(now).toISOString(), interval, live: true };
}

/**
 * The analytics API's query for these filters plus a widget's own parameters (``extra``, where a
 * null leaves a parameter out). ``range`` is resolveRange()'s answer, so that every widget of a
 * page reads the same instant.
 */
export function analyticsQuery(filters, range, extra = {}) {
  const chosen = normaliseFilters(filters);
  const query = {
    from: range.from,
    to: range.to,
    tz: chosen.tz,
    interval: range.interval,
    topic: chosen.topics.length ? chosen.topics : null,
    country: chosen.countries.length ? chosen.countries : null,
    lang: chosen.languages.length ? chosen.languages : null,
    source: chosen.sources.length ? chosen.sources : null,
    sentiment: chosen.sentiment.length ? chosen.sentiment : null,
    include_duplicates: chosen.include_duplicates ? null : "false",
  };
  for (const [name, value] of Object.entries(extra)) query[name] = value;
  return query;
}

// A restriction on one dimension: the filter's values narrowed to the point's (a point of country
// FR under a filter of FR and ES is FR; under no filter, FR as well).
function narrowed(current, value) {
  if (value === undefined) return current;
  const values = Array.isArray(value) ? value : [value];
  if (!current.length) return values;
  return values.filter((item) => current.includes(item));
}

/**
 * The explorer's address for the posts behind a point, a bar or a row:
 *   /explore?q=<query>&from=<ISO>&to=<ISO>&tz=<IANA>&topics=a&topics=b&countries=FR&languages=fr
 *            &sources=x&sentiment=negative&include_duplicates=true|false
 * ``point`` narrows the filters: {from, to, q, topics, countries, languages, sources, sentiment,
 * post} (``post``: one post's id, which the explorer opens). The order of the parameters is fixed.
 */
export function exploreUrl(filters, range, point = {}) {
  const chosen = normaliseFilters(filters);
  const params = new URLSearchParams();
  if (point.q) params.append("q", point.q);
  params.append("from", point.from || range.from);
  params.append("to", point.to || range.to);
  params.append("tz", chosen.tz);
  const lists = [
    ["topics", narrowed(chosen.topics, point.topics)],
    ["countries", narrowed(chosen.countries, point.countries)],
    ["languages", narrowed(chosen.languages, point.languages)],
    ["sources", narrowed(chosen.sources, point.sources)],
    ["sentiment", narrowed(chosen.sentiment, point.sentiment)],
  ];
  for (const [name, values] of lists) for (const value of values) params.append(name, value);
  params.append("include_duplicates", chosen.include_duplicates ? "true" : "false");
  if (point.post) params.append("post", point.post);
  return `/explore?${params.toString()}`;
}

/** A query-language value, quoted when it holds anything but word characters. */
export function queryValue(value) {
  const text = String(value);
  return /^[\p{L}\p{N}_.\-@]+$/u.test(text) ? text : `"${text.replace(/["\\]/g, "")}"`;
}

/** Does a post from the live stream count under these filters? (Its time is checked by the caller.) */
export function postMatches(post, filters) {
  if (!post || typeof post !== "object") return false;
  const chosen = normaliseFilters(filters);
  if (chosen.topics.length) {
    const names = (post.topics || []).map((topic) => (typeof topic === "string" ? topic : topic && topic.name));
    if (!names.some((name) => chosen.topics.includes(name))) return false;
  }
  if (chosen.countries.length && !chosen.countries.includes(post.country)) return false;
  if (chosen.languages.length && !chosen.languages.includes(post.lang)) return false;
  if (chosen.sources.length && !chosen.sources.includes(post.source)) return false;
  const label = post.sentiment && post.sentiment.label;
  if (chosen.sentiment.length && !chosen.sentiment.includes(label)) return false;
  if (!chosen.include_duplicates && post.duplicate_of) return false;
  return true;
}

/** The filters as a stable key: widgets refetch when it changes, not on every render. */
export function filtersKey(filters) {
  return JSON.stringify(normaliseFilters(filters));
}

const LIST_FIELDS = ["topics", "countries", "languages", "sources", "sentiment"];

/**
 * A widget's own narrowing (its ``options.filters``) applied to the host's filters: on each list,
 * the widget's values when the host has none, else the values both allow. ``conflict`` is true
 * when a list ends up with nothing both allow (the widget then has nothing to show).
 */
export function narrowFilters(filters, own) {
  const chosen = normaliseFilters(filters);
  if (!own || typeof own !== "object") return { filters: chosen, conflict: false };
  const result = { ...chosen };
  let conflict = false;
  for (const field of LIST_FIELDS) {
    const mine = Array.isArray(own[field]) ? own[field] : own[field] ? [own[field]] : [];
    if (!mine.length) continue;
    if (!chosen[field].length) {
      result[field] = mine.slice();
      continue;
    }
    result[field] = chosen[field].filter((value) => mine.includes(value));
    if (!result[field].length) conflict = true;
  }
  if (own.include_duplicates === false) result.include_duplicates = false;
  return { filters: result, conflict };
}

// Shared formatting: numbers, counts, durations, dates, clock times and relative times, in the
// page's language (<html lang>) and time zone (<html data-time-zone>, else the browser's), through
// Intl. Every page and widget formats through this module, so a figure reads the same everywhere.
// No DOM writes here: the browser tests import this module and check each rule on its own.
//
// Every function takes an optional last argument {locale, timeZone} that overrides the page's.
// Moments are a Date, an ISO 8601 string or milliseconds since the epoch (JavaScript's unit).

// The short unit labels Intl has no single style for ("3 h", "12.3k"): one table per language, the
// one place to move into the message catalogues. "{n}" is the number, already formatted by Intl.
const SHORT_UNITS = {
  en: {
    now: "now",
    lessThanSecond: "<1 s",
    second: "{n} s",
    minute: "{n} min",
    hour: "{n} h",
    day: "{n} d",
    thousand: "{n}k",
    million: "{n}M",
    billion: "{n}B",
  },
  fr: {
    now: "à l’instant",
    lessThanSecond: "<1 s",
    second: "{n} s",
    minute: "{n} min",
    hour: "{n} h",
    day: "{n} j",
    thousand: "{n} k",
    million: "{n} M",
    billion: "{n} Md",
  },
};

/** What a missing figure reads as: a dash, never "0" or "NaN". */
export const MISSING = "—";

const FALLBACK_LOCALE = "en";
const AGE_NOW_S = 45;
const SECOND_MS = 1000;
const formatters = new Map();

const checkedLocales = new Map();
const checkedZones = new Map();

function validLocale(tag) {
  if (!tag || typeof tag !== "string") return null;
  if (!checkedLocales.has(tag)) {
    let canonical = null;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0] || null;
    } catch {
      // a malformed lang attribute must not break every figure of the page
    }
    checkedLocales.set(tag, canonical);
  }
  return checkedLocales.get(tag);
}

function validTimeZone(zone) {
  if (!zone || typeof zone !== "string") return null;
  if (!checkedZones.has(zone)) {
    let valid = null;
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      valid = zone;
    } catch {
      // an unknown zone name falls back to the browser's
    }
    checkedZones.set(zone, valid);
  }
  return checkedZones.get(zone);
}

function rootElement() {
  return typeof document === "undefined" ? null : document.documentElement;
}

/** The page's language: <html lang>, else the browser's, else English. */
export function pageLocale() {
  const root = rootElement();
  return validLocale(root && root.lang) || validLocale(globalThis.navigator && navigator.language) || FALLBACK_LOCALE;
}

let browserZone = null;

/** The page's time zone: <html data-time-zone> (the user's setting), else the browser's. */
export function pageTimeZone() {
  const root = rootElement();
  const chosen = validTimeZone(root && root.dataset.timeZone);
  if (chosen) return chosen;
  if (browserZone === null) browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return browserZone;
}

function localeOf(options) {
  return validLocale(options && options.locale) || pageLocale();
}

function resolve(options) {
  return { locale: localeOf(options), timeZone: validTimeZone(options && options.timeZone) || pageTimeZone() };
}

// Building an Intl formatter costs far more than using one: a wall formats hundreds of figures a minute.
function cached(Kind, locale, options) {
  const key = `${Kind.name}|${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Kind(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

function unitsFor(locale) {
  const language = locale.split("-")[0].toLowerCase();
  return Object.hasOwn(SHORT_UNITS, language) ? SHORT_UNITS[language] : SHORT_UNITS[FALLBACK_LOCALE];
}

function fill(pattern, number) {
  return pattern.replace("{n}", number);
}

function isMissing(value) {
  return value === null || value === undefined || value === "" || !Number.isFinite(Number(value));
}

/** A moment as milliseconds since the epoch, or NaN when it is not one. */
export function toMillis(moment) {
  if (moment instanceof Date) return moment.getTime();
  if (typeof moment === "number") return moment;
  if (typeof moment === "string" && moment !== "") return Date.parse(moment);
  return Number.NaN;
}

/** 1234567 → "1,234,567" (en), "1 234 567" (fr). Missing → "—". */
export function formatNumber(value, options = {}) {
  if (isMissing(value)) return MISSING;
  const locale = localeOf(options);
  const digits = options.maximumFractionDigits ?? 0;
  return cached(Intl.NumberFormat, locale, { maximumFractionDigits: digits }).format(Number(value));
}

/** A ratio as a percentage: 0.4213 → "42.1%" (en), "42,1 %" (fr). Missing → "—". */
export function formatPercent(ratio, options = {}) {
  if (isMissing(ratio)) return MISSING;
  const locale = localeOf(options);
  const digits = options.maximumFractionDigits ?? 1;
  return cached(Intl.NumberFormat, locale, { style: "percent", maximumFractionDigits: digits }).format(Number(ratio));
}

/**
 * A count, short: 950 → "950", 12_345 → "12.3k", 1_234_567 → "1.2M" (en; "12,3 k" in French).
 * Rounded down: a count never reads as more than the truth. Not a count → "".
 */
export function formatCount(value, options = {}) {
  if (isMissing(value) || Number(value) < 0) return "";
  const count = Number(value);
  const locale = localeOf(options);
  const number = cached(Intl.NumberFormat, locale, { maximumFractionDigits: 1 });
  if (count < 1000) return number.format(Math.floor(count));
  const units = unitsFor(locale);
  for (const [size, unit] of [
    [1e9, "billion"],
    [1e6, "million"],
    [1e3, "thousand"],
  ]) {
    if (count >= size) {
      // Tenths from integers: (count * 10) / size is exact where count / size * 10 is not (2300 → 2.2).
      const tenths = Math.floor((count * 10) / size);
      const shown = tenths >= 1000 ? Math.floor(tenths / 10) : tenths / 10;
      return fill(units[unit], number.format(shown));
    }
  }
  return number.format(count);
}

/** A duration in seconds, short: "<1 s", "42 s", "7 min", "3 h", "12 d". Missing → "—". */
export function formatDuration(seconds, options = {}) {
  if (isMissing(seconds)) return MISSING;
  const value = Number(seconds);
  const locale = localeOf(options);
  const units = unitsFor(locale);
  const whole = (amount) => cached(Intl.NumberFormat, locale, { maximumFractionDigits: 0 }).format(Math.floor(amount));
  if (value < 1) return units.lessThanSecond;
  if (value < 60) return fill(units.second, whole(value));
  if (value < 3600) return fill(units.minute, whole(value / 60));
  if (value < 86400) return fill(units.hour, whole(value / 3600));
  return fill(units.day, whole(value / 86400));
}

/**
 * How old a post is, as a card shows it: "now", "4 min", "3 h", "2 d", then its date ("Mar 3").
 * ``now`` is milliseconds since the epoch. Not a moment → "".
 */
export function formatAge(moment, now = Date.now(), options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const seconds = Math.max(0, (now - millis) / SECOND_MS);
  if (seconds < AGE_NOW_S) return unitsFor(localeOf(options)).now;
  const minutes = Math.max(1, Math.floor(seconds / 60));
  if (minutes < 60 * 24 * 7) return formatDuration(minutes * 60, options);
  return formatDate(millis, { ...options, day: "numeric", month: "short" });
}

const RELATIVE_STEPS = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.345],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/**
 * A moment relative to now, as a sentence says it (Intl.RelativeTimeFormat): "5 minutes ago",
 * "in 2 hours", "yesterday" (en); "il y a 5 minutes", "hier" (fr). Not a moment → "".
 */
export function formatRelative(moment, now = Date.now(), options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const locale = localeOf(options);
  const style = options.style || "long";
  const relative = cached(Intl.RelativeTimeFormat, locale, { numeric: "auto", style });
  let amount = (millis - now) / SECOND_MS;
  for (const [unit, perNext] of RELATIVE_STEPS) {
    if (Math.abs(amount) < perNext) return relative.format(Math.trunc(amount), unit);
    amount /= perNext;
  }
  return "";
}

const DATE_OPTIONS = ["dateStyle", "timeStyle", "weekday", "year", "month", "day", "hour", "minute", "second", "hourCycle", "timeZoneName"];

function dateParts(options, defaults) {
  const picked = {};
  for (const name of DATE_OPTIONS) if (options[name] !== undefined) picked[name] = options[name];
  return Object.keys(picked).length ? picked : defaults;
}

/** A date in the page's language and time zone: "Mar 3, 2026" (en), "3 mars 2026" (fr). */
export function formatDate(moment, options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const { locale, timeZone } = resolve(options);
  return cached(Intl.DateTimeFormat, locale, { ...dateParts(options, { dateStyle: "medium" }), timeZone }).format(millis);
}

/** A date and time in the page's language and time zone: "Mar 3, 2026, 2:05 PM" (en). */
export function formatDateTime(moment, options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const { locale, timeZone } = resolve(options);
  const defaults = { dateStyle: "medium", timeStyle: "short" };
  return cached(Intl.DateTimeFormat, locale, { ...dateParts(options, defaults), timeZone }).format(millis);
}

/** A time of day in the page's language and time zone: "2:05 PM" (en), "14:05" (fr). */
export function formatTime(moment, options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const { locale, timeZone } = resolve(options);
  const defaults = { hour: "2-digit", minute: "2-digit" };
  return cached(Intl.DateTimeFormat, locale, { ...dateParts(options, defaults), timeZone }).format(millis);
}

function dayKey(millis, timeZone) {
  // en-CA formats a date as YYYY-MM-DD: a key that compares calendar days in the page's time zone.
  return cached(Intl.DateTimeFormat, "en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }).format(millis);
}

/**
 * An operations clock, 24-hour with seconds: "14:05:09", with the date in front when the moment is
 * not today in the page's time zone ("Mar 3 14:05:09"). Not a moment → "".
 */
export function formatClock(moment, now = Date.now(), options = {}) {
  const millis = toMillis(moment);
  if (Number.isNaN(millis)) return "";
  const { locale, timeZone } = resolve(options);
  const time = cached(Intl.DateTimeFormat, locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone,
  }).format(millis);
  if (dayKey(millis, timeZone) === dayKey(now, timeZone)) return time;
  const date = cached(Intl.DateTimeFormat, locale, { day: "numeric", month: "short", timeZone }).format(millis);
  return `${date} ${time}`;
}

/**
 * ``value`` when it is an absolute http(s) address, else null: a post's link or address is shown
 * as a link only then (never ``javascript:``, ``data:`` or another scheme a post could carry).
 */
export function webAddress(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    const parsed = new URL(value);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * ``value`` with HTML's special characters escaped: for the few places a library takes an HTML
 * string (ECharts tooltips), never for building pages (those use text nodes).
 */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]);
}

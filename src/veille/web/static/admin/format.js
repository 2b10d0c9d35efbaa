// Rules of the Sources page with no DOM: how health reads, how a form becomes a [[sources]] table and
// how an API error names its field. Kept apart so the browser tests can check each rule on its own.
// Numbers, durations and clock times are the shared ones (veille/format.js).
import { formatClock, formatNumber } from "veille/format.js";
import { t, tn } from "veille/i18n.js";

// Connector states (veille.sources.connectors.health.ConnectorHealth.state) as the page names them;
// the hub's own sources (simulator, files, push API) run or listen, they connect to nothing.
const STATES = {
  connected: { label: t("Connected"), tone: "ok" },
  connecting: { label: t("Connecting"), tone: "info" },
  backing_off: { label: t("Reconnecting"), tone: "warn" },
  failed: { label: t("Failed"), tone: "bad" },
  stopped: { label: t("Stopped"), tone: "off" },
  idle: { label: t("Idle"), tone: "off" },
  running: { label: t("Running"), tone: "ok" },
  listening: { label: t("Listening"), tone: "ok" },
};

export function stateOf(state) {
  return STATES[state] || { label: String(state || "unknown"), tone: "off" };
}

// What a source's state means, in words, for the row: the error of a failed source, when it tries
// again, what a hub's own source does. "" when the badge says it all.
export function stateNote(source, now = Date.now()) {
  const health = source.health;
  const retryIn =
    health.next_retry_at !== null && health.next_retry_at !== undefined
      ? Math.max(0, Math.round(health.next_retry_at - now / 1000))
      : null;
  if (source.read_only) {
    if (health.state === "listening") return t("accepts posts sent to POST /api/v1/posts");
    return health.state === "running" ? t("the hub's own source") : t("the hub's own source, not running");
  }
  if (health.state === "failed") {
    const never = health.last_connected_at === null || health.last_connected_at === undefined;
    const retry =
      retryIn === null
        ? t("not retried: fix it, then Start")
        : t("tries again in {duration}", { duration: formatDurationShort(retryIn) });
    return never ? t("never connected; {retry}", { retry }) : t("lost; {retry}", { retry });
  }
  if (health.state === "backing_off" && retryIn !== null) {
    return t("retry in {duration}", { duration: formatDurationShort(retryIn) });
  }
  if (health.state === "connecting" && !health.last_connected_at) return t("not connected yet");
  return "";
}

function formatDurationShort(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

// The platform sources (configured in veille.toml or through the API), not the hub's own.
export function platformSources(sources) {
  return sources.filter((source) => !source.read_only);
}

// A source's dead letters in words: items it read but could not turn into posts. null: not counted.
export function failedText(count) {
  if (count === null || count === undefined) return "";
  if (count === 0) return t("every item read became a post");
  return tn("{count} item could not be read", "{count} items could not be read", count, { count: formatNumber(count) });
}

const ALERT_KINDS = { failed: t("Failed"), silent: t("Silent"), no_filter: t("No filter"), config: t("Config") };

export function alertLabel(kind) {
  return ALERT_KINDS[kind] || String(kind);
}

// A moment the hub gives in epoch seconds, as the shared operations clock ("14:05:09", with the date
// when it is not today). null: "".
export function clockOf(epochSeconds, now = Date.now()) {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return "";
  return formatClock(epochSeconds * 1000, now);
}

// What a form input holds for a field of the connector metadata, before anything is typed.
export function initialValue(field) {
  if (field.type === "bool") return field.default === null || field.default === undefined ? false : !!field.default;
  if (field.choices && field.choices.length) return field.default ?? field.choices[0];
  return "";
}

// The placeholder of a text input: the field's default, in the form the input takes.
export function placeholderOf(field, defaultEndpoint) {
  if (field.name === "endpoint" && defaultEndpoint) return defaultEndpoint;
  const value = field.default;
  if (value === null || value === undefined) return field.env ? `or set $${field.env}` : "";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([key, item]) => `${key} = ${item}`)
      .join("\n");
  }
  return String(value);
}

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// One input's text as the JSON value of the table. Empty: undefined (the field is left out, so the
// connector's default applies). Text that is not a number for a number field is sent as typed: the
// hub then names the field and what it expected, one place for validation.
export function fieldValue(field, raw) {
  if (field.type === "bool") return !!raw;
  const text = typeof raw === "string" ? raw.trim() : raw;
  if (text === "" || text === null || text === undefined) return undefined;
  if (field.type === "int") return INT_TEXT.test(text) ? Number(text) : text;
  if (field.type === "float") return FLOAT_TEXT.test(text) ? Number(text) : text;
  if (field.type.startsWith("list")) {
    const items = text
      .split(/[,\n]/)
      .map((item) => item.trim())
      .filter((item) => item !== "");
    return items.length ? items : undefined;
  }
  if (field.type.startsWith("dict")) {
    const mapping = {};
    for (const [index, line] of text.split("\n").entries()) {
      if (!line.trim()) continue;
      const cut = line.indexOf("=");
      if (cut < 1) throw new FieldInputError(`line ${index + 1}: expected 'name = value'`);
      mapping[line.slice(0, cut).trim()] = line.slice(cut + 1).trim();
    }
    return Object.keys(mapping).length ? mapping : undefined;
  }
  return text;
}

export class FieldInputError extends Error {}

// The [[sources]] table of a filled form: {table, errors} where errors maps field names to messages
// found before sending (only what cannot be sent at all, such as a malformed mapping line).
export function tableFromForm(type, fields, values) {
  const table = { type };
  const errors = {};
  for (const field of fields) {
    try {
      const value = fieldValue(field, values[field.name]);
      if (value !== undefined) table[field.name] = value;
    } catch (error) {
      if (!(error instanceof FieldInputError)) throw error;
      errors[field.name] = error.message;
    }
  }
  return { table, errors };
}

// The field an API error is about. The hub says "source 'NAME': FIELD: what is wrong" (422, 409);
// FastAPI's own validation gives a list of {loc, msg}. Returns {field, message}; field is null when
// the message names no field of the form.
export function fieldError(detail, sourceName, fieldNames) {
  if (Array.isArray(detail)) {
    const first = detail[0] || {};
    const loc = Array.isArray(first.loc) ? first.loc : [];
    const named = loc.find((part) => fieldNames.includes(part));
    return { field: named ?? null, message: String(first.msg ?? "invalid request") };
  }
  let message = typeof detail === "string" ? detail : JSON.stringify(detail);
  const prefix = `source '${sourceName}': `;
  if (message.startsWith(prefix)) message = message.slice(prefix.length);
  const match = /^([A-Za-z_][\w]*): ([\s\S]+)$/.exec(message);
  if (match && fieldNames.includes(match[1])) return { field: match[1], message: match[2] };
  return { field: null, message };
}

// Masked config values as one line of text (lists joined, mappings as name = value).
export function configText(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([key, item]) => `${key} = ${item}`).join("; ") : "—";
  }
  return String(value);
}

// Rules of the Sources page with no DOM: how health reads, how a form becomes a [[sources]] table and
// how an API error names its field. Kept apart so the browser tests can check each rule on its own.
// Numbers, durations and clock times are the shared ones (veille/format.js).
import { formatClock } from "veille/format.js";
import { t } from "veille/i18n.js";

// Connector states (veille.sources.connectors.health.ConnectorHealth.state) as the page names them.
const STATES = {
  connected: { label: t("Connected"), tone: "ok" },
  connecting: { label: t("Connecting"), tone: "info" },
  backing_off: { label: t("Reconnecting"), tone: "warn" },
  failed: { label: t("Failed"), tone: "bad" },
  stopped: { label: t("Stopped"), tone: "off" },
  idle: { label: t("Idle"), tone: "off" },
};

export function stateOf(state) {
  return STATES[state] || { label: String(state || "unknown"), tone: "off" };
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

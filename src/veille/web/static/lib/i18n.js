// The page's messages: the same Babel catalogues as the templates, served as JSON by the hub
// (GET /i18n/{lang}.json, its address in <html data-i18n>). The module waits for the catalogue when
// it is first imported (top-level await), so t() is ready in every module that imports it.
//
//   import { t, tn } from "veille/i18n.js";
//   t("Save")                                   // "Enregistrer" in French
//   t("Updated {when}", { when: "2 min" })      // placeholders in braces, filled after translation
//   tn("{n} post", "{n} posts", count, { n: formatNumber(count) })
//
// Extraction (make i18n) reads t("…") and tn("…", "…", n) calls, also inside html`…` templates: the
// message must be a literal string, never a variable, or it never reaches the catalogues.

const FALLBACK = "en";

function pageLanguage() {
  const root = typeof document === "undefined" ? null : document.documentElement;
  const tag = (root && root.lang) || FALLBACK;
  return tag.split("-")[0].toLowerCase();
}

async function loadCatalogue(language) {
  const root = typeof document === "undefined" ? null : document.documentElement;
  const url = (root && root.dataset.i18n) || `/i18n/${language}.json`;
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) return await response.json();
    console.warn(`i18n: ${url} answered ${response.status}; showing the English messages`);
  } catch (error) {
    console.warn(`i18n: ${url} could not be read (${error}); showing the English messages`);
  }
  return { language, messages: {}, plurals: {} };
}

const language = pageLanguage();
const catalogue = await loadCatalogue(language);
const messages = catalogue.messages || {};
const plurals = catalogue.plurals || {};

/** The page's language ("en", "fr"): the one the catalogue was loaded for. */
export function currentLanguage() {
  return language;
}

function fill(message, values) {
  if (!values) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

/** ``message`` in the page's language (itself when the catalogue has no translation), placeholders filled. */
export function t(message, values) {
  const translated = Object.hasOwn(messages, message) ? messages[message] : message;
  return fill(translated || message, values);
}

// Which form of a plural message: English and French both have two (French: 0 and 1 are singular).
function pluralIndex(count) {
  if (language === "fr") return count === 0 || count === 1 ? 0 : 1;
  return count === 1 ? 0 : 1;
}

/** The singular or plural form for ``count`` (``{n}`` and other placeholders filled from ``values``). */
export function tn(singular, plural, count, values) {
  const forms = Object.hasOwn(plurals, singular) ? plurals[singular] : null;
  const index = pluralIndex(Number(count));
  const chosen = forms && forms[index] ? forms[index] : index === 0 ? singular : plural;
  return fill(chosen, { n: count, ...(values || {}) });
}

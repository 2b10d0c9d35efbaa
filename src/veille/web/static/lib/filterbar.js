// The filter bar every widget of a page follows: time range (presets and custom dates), time zone,
// topics, countries, languages, sources, sentiment, with or without near-duplicates. Pages (a
// dashboard, the explorer, a board) import it and keep the filters in their own state:
//
//   import { FilterBar } from "veille/filterbar.js";
//   html`<${FilterBar} filters=${filters} topics=${topics} onChange=${setFilters} />`
//
// ``filters`` is the dashboards API's filters object (veille/widgets/filters.js); ``topics`` the
// topics to offer ([{name, label, kind}], from GET /api/v1/topics). Every control carries
// data-filter="<name>" (range, from, to, tz, topics, countries, languages, sources, sentiment,
// include_duplicates) so that tests and pages can find it.
import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { t } from "./i18n.js";
import { COMMON_LANGUAGES, COUNTRY_CODES, SOURCE_NAMES, countryName, languageName } from "./widgets/countries.js";
import { normaliseFilters, RANGE_PRESETS } from "./widgets/filters.js";
import { sentimentName, sourceLabel } from "./widgets/posts.js";

const DAY_MS = 86_400_000;

export function presetName(preset) {
  return { "24h": t("24 hours"), "7d": t("7 days"), "30d": t("30 days") }[preset] || preset;
}

/** Every IANA time zone the browser knows, the chosen one included. */
export function timeZones(chosen) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = ["UTC", "Europe/Paris", "Europe/London", "America/New_York", "Asia/Tokyo"];
  }
  const all = new Set(["UTC", ...zones]);
  if (chosen) all.add(chosen);
  return [...all];
}

function isoDay(millis) {
  return new Date(millis).toISOString().slice(0, 10);
}

/**
 * A multiple choice in a drop-down: a summary of what is chosen, a search box, check boxes.
 * ``options``: [{value, label, hint}].
 */
export function MultiChoice({ name, label, options, chosen, onChange, allText }) {
  const [search, setSearch] = useState("");
  const box = useRef(null);
  const picked = new Set(chosen);
  const shown = useMemo(() => {
    const needle = search.trim().toLocaleLowerCase();
    const matching = needle
      ? options.filter((option) => `${option.value} ${option.label} ${option.hint || ""}`.toLocaleLowerCase().includes(needle))
      : options;
    // The chosen ones first, so they can be unticked without searching.
    return [...matching.filter((option) => picked.has(option.value)), ...matching.filter((option) => !picked.has(option.value))];
  }, [options, search, chosen.join("|")]);
  useEffect(() => {
    const close = (event) => {
      if (box.current && box.current.open && !box.current.contains(event.target)) box.current.open = false;
    };
    document.addEventListener("click", close);
    return () => document.removeEventListener("click", close);
  }, []);
  const toggle = (value) => {
    const next = picked.has(value) ? chosen.filter((item) => item !== value) : [...chosen, value];
    onChange(next);
  };
  const labelOf = (value) => (options.find((option) => option.value === value) || { label: value }).label;
  const summary = chosen.length === 0 ? allText || t("All") : chosen.length <= 2 ? chosen.map(labelOf).join(", ") : t("{count} chosen", { count: chosen.length });
  return html`<details class=${`chooser${chosen.length ? " chooser--active" : ""}`} data-filter=${name} ref=${box}>
    <summary class="chooser__summary">
      <span class="chooser__label">${label}</span>
      <span class="chooser__value">${summary}</span>
    </summary>
    <div class="chooser__panel">
      <input type="search" class="chooser__search" placeholder=${t("Search")} value=${search} onInput=${(event) => setSearch(event.currentTarget.value)} aria-label=${t("Search")} />
      <ul class="chooser__list" role="list">
        ${shown.slice(0, 300).map(
          (option) => html`<li key=${option.value}>
            <label class="chooser__option">
              <input type="checkbox" value=${option.value} checked=${picked.has(option.value)} onChange=${() => toggle(option.value)} />
              <span>${option.label}</span>${option.hint ? html`<small>${option.hint}</small>` : null}
            </label>
          </li>`,
        )}
        ${shown.length === 0 ? html`<li class="chooser__none">${t("Nothing matches")}</li>` : null}
      </ul>
      ${chosen.length ? html`<button type="button" class="chooser__clear" onClick=${() => onChange([])}>${t("Clear")}</button>` : null}
    </div>
  </details>`;
}

function CustomDates({ range, onChange }) {
  const from = typeof range === "object" ? String(range.from).slice(0, 10) : "";
  // The API's "to" is exclusive; people pick the last day they want to see.
  const to = typeof range === "object" ? isoDay(Date.parse(String(range.to).slice(0, 10)) - DAY_MS) : "";
  const set = (nextFrom, nextTo) => {
    if (!nextFrom || !nextTo || nextTo < nextFrom) return;
    onChange({ from: nextFrom, to: isoDay(Date.parse(nextTo) + DAY_MS) });
  };
  return html`<span class="filterbar__dates">
    <label><span class="visually-hidden">${t("From")}</span><input type="date" data-filter="from" value=${from} onChange=${(event) => set(event.currentTarget.value, to)} /></label>
    <span aria-hidden="true">→</span>
    <label><span class="visually-hidden">${t("To")}</span><input type="date" data-filter="to" value=${to} onChange=${(event) => set(from, event.currentTarget.value)} /></label>
  </span>`;
}

export function FilterBar({ filters, topics = [], onChange, children }) {
  const chosen = normaliseFilters(filters);
  const set = (change) => onChange({ ...chosen, ...change });
  const custom = typeof chosen.range === "object";
  const zones = useMemo(() => timeZones(chosen.tz), [chosen.tz]);
  const topicOptions = topics.map((topic) => ({ value: topic.name, label: topic.label || topic.name, hint: topic.kind }));
  const countryOptions = useMemo(() => COUNTRY_CODES.map((code) => ({ value: code, label: countryName(code), hint: code })).sort((a, b) => a.label.localeCompare(b.label)), []);
  const languageOptions = useMemo(() => COMMON_LANGUAGES.map((code) => ({ value: code, label: languageName(code), hint: code })), []);
  const sourceOptions = SOURCE_NAMES.map((name) => ({ value: name, label: sourceLabel(name) }));
  const startCustom = () => {
    const today = Date.now();
    set({ range: { from: isoDay(today - 6 * DAY_MS), to: isoDay(today + DAY_MS) } });
  };
  const toggleSentiment = (label) =>
    set({ sentiment: chosen.sentiment.includes(label) ? chosen.sentiment.filter((item) => item !== label) : [...chosen.sentiment, label] });
  return html`<div class="filterbar" role="group" aria-label=${t("Filters")}>
    <div class="filterbar__range segmented" data-filter="range" role="radiogroup" aria-label=${t("Period")}>
      ${RANGE_PRESETS.map(
        (preset) => html`<button type="button" role="radio" aria-checked=${chosen.range === preset ? "true" : "false"} data-range=${preset} onClick=${() => set({ range: preset })}>${presetName(preset)}</button>`,
      )}
      <button type="button" role="radio" aria-checked=${custom ? "true" : "false"} data-range="custom" onClick=${startCustom}>${t("Dates…")}</button>
    </div>
    ${custom ? html`<${CustomDates} range=${chosen.range} onChange=${(range) => set({ range })} />` : null}
    <label class="filterbar__zone">
      <span class="visually-hidden">${t("Time zone")}</span>
      <select data-filter="tz" value=${chosen.tz} onChange=${(event) => set({ tz: event.currentTarget.value })} title=${t("Time zone")}>
        ${zones.map((zone) => html`<option key=${zone} value=${zone}>${zone.replace(/_/g, " ")}</option>`)}
      </select>
    </label>
    <${MultiChoice} name="topics" label=${t("Topics")} options=${topicOptions} chosen=${chosen.topics} onChange=${(value) => set({ topics: value })} />
    <${MultiChoice} name="countries" label=${t("Countries")} options=${countryOptions} chosen=${chosen.countries} onChange=${(value) => set({ countries: value })} />
    <${MultiChoice} name="languages" label=${t("Languages")} options=${languageOptions} chosen=${chosen.languages} onChange=${(value) => set({ languages: value })} />
    <${MultiChoice} name="sources" label=${t("Sources")} options=${sourceOptions} chosen=${chosen.sources} onChange=${(value) => set({ sources: value })} />
    <div class="filterbar__sentiment segmented" data-filter="sentiment" role="group" aria-label=${t("Sentiment")}>
      ${["positive", "neutral", "negative"].map(
        (label) => html`<button type="button" aria-pressed=${chosen.sentiment.includes(label) ? "true" : "false"} data-sentiment=${label} class=${`is-${label}`} onClick=${() => toggleSentiment(label)}>${sentimentName(label)}</button>`,
      )}
    </div>
    <label class="filterbar__toggle">
      <input type="checkbox" data-filter="include_duplicates" checked=${chosen.include_duplicates} onChange=${(event) => set({ include_duplicates: event.currentTarget.checked })} />
      <span>${t("Near-duplicates")}</span>
    </label>
    ${children}
  </div>`;
}

// /radar: per topic (the customer essentials first), what people ask now, grouped into sub-topics
// and ranked by the gap between their demand and what our accounts published (the radar widget);
// "Make a brief" turns a sub-topic into a brief (/briefs/{id}). ?topic= and ?range= keep the choice.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { kindName, mountPage, orderedTopics, PageHead } from "./common.js";

const RANGES = ["24h", "7d", "30d"];

function rangeName(range) {
  return { "24h": t("Last 24 hours"), "7d": t("Last 7 days"), "30d": t("Last 30 days") }[range] || range;
}

function address() {
  const query = new URLSearchParams(window.location.search);
  const range = query.get("range");
  return { topic: query.get("topic"), range: RANGES.includes(range) ? range : "24h" };
}

function RadarPage() {
  const [topics, setTopics] = useState(null);
  const [choice, setChoice] = useState(address);
  useEffect(() => {
    api.get("/api/v1/topics").then(
      (answer) => setTopics(orderedTopics(answer.items || [])),
      () => setTopics([]),
    );
  }, []);
  const topic = choice.topic || (topics && topics.length ? topics[0].name : null);
  const change = (next) => {
    const chosen = { ...choice, ...next };
    setChoice(chosen);
    const query = new URLSearchParams(window.location.search);
    if (chosen.topic) query.set("topic", chosen.topic);
    query.set("range", chosen.range);
    window.history.replaceState(null, "", `${window.location.pathname}?${query}`);
  };
  const kinds = topics ? [...new Set(topics.map((item) => item.kind))] : [];
  return html`<div class="editorial-page" data-page="radar">
    <${PageHead}
      title=${t("Editorial radar")}
      subtitle=${t("What people ask about each topic now, grouped into sub-topics, against what our own accounts published: the biggest gaps first.")}
    >
      <label class="editorial-field">
        <span>${t("Topic")}</span>
        <select data-option="topic" value=${topic || ""} onChange=${(event) => change({ topic: event.currentTarget.value })}>
          ${kinds.map(
            (kind) => html`<optgroup label=${kindName(kind)} key=${kind}>
              ${topics.filter((item) => item.kind === kind).map((item) => html`<option value=${item.name} key=${item.name}>${item.label || item.name}</option>`)}
            </optgroup>`,
          )}
        </select>
      </label>
      <div class="segmented" role="radiogroup" aria-label=${t("Period")} data-option="range">
        ${RANGES.map(
          (range) => html`<button type="button" role="radio" key=${range} data-range=${range} aria-checked=${choice.range === range ? "true" : "false"} onClick=${() => change({ range })}>${rangeName(range)}</button>`,
        )}
      </div>
      <a class="btn btn--ghost btn--small" href="/briefs">${t("Briefs")}</a>
    </${PageHead}>
    ${topics === null
      ? html`<p class="admin-empty" role="status">${t("Loading…")}</p>`
      : topics.length === 0
        ? html`<p class="admin-empty">${t("No topic yet: define topics first.")}</p>`
        : html`<${Widget} type="radar" title=${topic} filters=${{ topics: [topic], range: choice.range }} options=${{ limit: 20 }} />`}
  </div>`;
}

mountPage(RadarPage);

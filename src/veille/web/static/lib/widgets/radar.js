// radar: the editorial radar of one topic (docs/editorial.md): what people ask now, grouped into
// sub-topics ranked by the gap between their demand and our own accounts' coverage. Each sub-topic
// shows its key terms, bars for demand, growth, coverage and gap, example questions (each carries
// data-post-id), countries and languages, and a "Make a brief" button where briefs can be made.
//
// The topic is options.topic, else the filters' only topic; the range is the filters'.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { normaliseFilters } from "./filters.js";
import { useStable, useWidgetData, WidgetFrame } from "./frame.js";

export const definition = {
  type: "radar",
  label: () => t("Editorial radar"),
  size: { w: 6, h: 7 },
  defaults: { topic: null, limit: 5 },
  fields: [
    { name: "limit", label: () => t("Sub-topics shown"), choices: [3, 5, 10, 20], choiceLabel: (value) => formatNumber(value) },
  ],
};

/** The topic a radar reads: its own option, else the filters' only topic, else none. */
export function radarTopic(filters, options) {
  if (options && options.topic) return options.topic;
  const topics = normaliseFilters(filters).topics;
  return topics.length === 1 ? topics[0] : null;
}

function Bar({ name, label, ratio, text }) {
  const width = `${Math.round(Math.max(0, Math.min(1, ratio || 0)) * 100)}%`;
  return html`<div class="radar-bar" data-measure=${name}>
    <span class="radar-bar__label">${label}</span>
    <span class="radar-bar__track" aria-hidden="true"><span class="radar-bar__fill" style=${{ width }}></span></span>
    <span class="radar-bar__value">${text}</span>
  </div>`;
}

function shares(entries, key) {
  return entries
    .slice(0, 4)
    .map((entry) => `${entry[key]} ${formatPercent(entry.share, { maximumFractionDigits: 0 })}`)
    .join(" · ");
}

export function RadarItem({ item, onBrief, busy }) {
  return html`<li class="radar-item" data-subtopic=${item.subtopic} data-rank=${item.rank}>
    <div class="radar-item__head">
      <span class="radar-item__rank">#${item.rank}</span>
      <h3 class="radar-item__name" dir="auto">${item.subtopic}</h3>
      ${onBrief
        ? html`<button type="button" class="btn btn--small radar-item__brief" data-action="brief" disabled=${busy} onClick=${() => onBrief(item)}>${t("Make a brief")}</button>`
        : null}
    </div>
    <ul class="radar-item__terms" aria-label=${t("Key terms")}>
      ${item.terms.map((term) => html`<li class="radar-term" key=${term}>${term}</li>`)}
    </ul>
    <div class="radar-item__bars">
      <${Bar} name="demand" label=${t("Demand")} ratio=${item.demand / 100} text=${formatNumber(item.demand, { maximumFractionDigits: 0 })} />
      <${Bar} name="growth" label=${t("Growth")} ratio=${Math.log10(Math.max(1, item.growth)) / Math.log10(20)} text=${`× ${formatNumber(item.growth, { maximumFractionDigits: 1 })}`} />
      <${Bar} name="coverage" label=${t("Our coverage")} ratio=${item.coverage} text=${formatPercent(item.coverage, { maximumFractionDigits: 0 })} />
      <${Bar} name="gap" label=${t("Gap")} ratio=${item.gap / 100} text=${formatNumber(item.gap, { maximumFractionDigits: 0 })} />
    </div>
    <p class="radar-item__volume">${t("{n} questions in the period, {base} per period before", {
      n: formatNumber(item.volume),
      base: item.baseline === null || item.baseline === undefined ? "—" : formatNumber(item.baseline, { maximumFractionDigits: 1 }),
    })}</p>
    <ul class="radar-item__questions" aria-label=${t("Example questions")}>
      ${item.questions.map(
        (question) => html`<li class="radar-question" key=${question.id} data-post-id=${question.id}>
          <span class="radar-question__text" dir="auto">${question.text}</span>
          <span class="radar-question__meta">${[question.country, question.lang, question.source].filter(Boolean).join(" · ")}</span>
        </li>`,
      )}
    </ul>
    <p class="radar-item__audience">
      ${item.countries.length ? html`<span><strong>${t("Countries")}</strong> ${shares(item.countries, "country")}</span>` : null}
      ${item.languages.length ? html`<span><strong>${t("Languages")}</strong> ${shares(item.languages, "language")}</span>` : null}
    </p>
  </li>`;
}

async function makeBrief(topic, range, item, tz) {
  const brief = await api.post("/api/v1/editorial/briefs", {
    topic,
    terms: item.terms,
    subtopic: item.subtopic,
    from: range.from,
    to: range.to,
    tz,
  });
  window.location.assign(`/briefs/${brief.id}`);
}

export function RadarWidget({ title, filters, options: given, drill = true, range: fixedRange, onBrief }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const topic = radarTopic(filters, options);
  const tz = normaliseFilters(filters).tz || "UTC";
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const loaded = useWidgetData({
    filters,
    options: { ...options, topic },
    fixedRange,
    load: (range, signal) =>
      topic
        ? api.get("/api/v1/editorial/radar", { query: { topic, from: range.from, to: range.to, tz }, signal })
        : Promise.resolve({ items: [], meta: null }),
    isEmpty: (data) => data.items.length === 0,
  });
  const data = loaded.data;
  const brief = drill
    ? async (item) => {
        setBusy(true);
        setFailure(null);
        try {
          await (onBrief || makeBrief)(topic, loaded.range, item, tz);
        } catch (error) {
          setFailure(error.message || String(error));
        } finally {
          setBusy(false);
        }
      }
    : null;
  return html`<${WidgetFrame}
    type="radar"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    emptyText=${topic ? t("No sub-topic has enough questions in this period.") : t("Choose one topic to see what people ask about it.")}
    subtitle=${data && data.meta ? t("{n} questions read; ranked by the gap between demand and our coverage", { n: formatNumber(data.meta.questions) }) : null}
    csv=${() =>
      data && {
        columns: ["rank", "subtopic", "terms", "volume", "growth", "demand", "coverage", "gap"],
        rows: data.items.map((item) => ({ ...item, terms: item.terms.join(" ") })),
      }}
  >
    ${failure ? html`<p class="widget__message widget__message--error" role="alert">${failure}</p>` : null}
    ${data
      ? html`<ol class="radar-list">
          ${data.items.slice(0, options.limit).map((item) => html`<${RadarItem} key=${item.subtopic} item=${item} onBrief=${brief} busy=${busy} />`)}
        </ol>`
      : null}
  </${WidgetFrame}>`;
}

definition.component = RadarWidget;

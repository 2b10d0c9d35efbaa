// The dashboards list (/dashboards): every dashboard as a card, and a new one from a starter set
// of widgets (POST /api/v1/dashboards), opened at once.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { presetName } from "veille/filterbar.js";
import { formatRelative } from "veille/format.js";
import { t, tn } from "veille/i18n.js";
import { widgetDefinition } from "veille/widgets/index.js";
import { SharingControl } from "../sharing/common.js";
import { shareDashboard } from "./model.js";

// What a new dashboard starts with: the figures most people look at first.
export const STARTER_WIDGETS = [
  { type: "kpi", title: "", x: 0, y: 0, w: 3, h: 2, options: { metric: "posts" } },
  { type: "kpi", title: "", x: 3, y: 0, w: 3, h: 2, options: { metric: "engagement" } },
  { type: "kpi", title: "", x: 6, y: 0, w: 3, h: 2, options: { metric: "net_sentiment" } },
  { type: "kpi", title: "", x: 9, y: 0, w: 3, h: 2, options: { metric: "reach" } },
  { type: "volume", title: "", x: 0, y: 2, w: 8, h: 4, options: {} },
  { type: "sentiment", title: "", x: 8, y: 2, w: 4, h: 4, options: { view: "breakdown" } },
  { type: "top_posts", title: "", x: 0, y: 6, w: 6, h: 5, options: { limit: 5 } },
  { type: "feed", title: "", x: 6, y: 6, w: 6, h: 5, options: {} },
];

function rangeText(range) {
  return typeof range === "string" ? presetName(range) : `${range.from} → ${range.to}`;
}

function Card({ dashboard: stored }) {
  const [dashboard, setDashboard] = useState(stored);
  const types = [...new Set(dashboard.widgets.map((widget) => widget.type))]
    .map((type) => (widgetDefinition(type) ? widgetDefinition(type).label() : type))
    .slice(0, 5);
  return html`<li class="dash-card" data-dashboard=${dashboard.id}>
    <a class="dash-card__link" href=${`/dashboards/${dashboard.id}`}>
      <h2 class="dash-card__name">${dashboard.name}</h2>
      ${dashboard.description ? html`<p class="dash-card__description">${dashboard.description}</p>` : null}
      <p class="dash-card__types">${types.join(" · ")}</p>
      <p class="dash-card__meta">
        <span>${tn("{n} widget", "{n} widgets", dashboard.widgets.length)}</span>
        <span>${rangeText(dashboard.filters.range)}</span>
        <span>${t("by {owner}", { owner: dashboard.owner })}</span>
        <span>${t("updated {when}", { when: formatRelative(dashboard.updated_at) })}</span>
      </p>
    </a>
    <div class="dash-card__sharing"><${SharingControl} kind="dashboard" item=${dashboard} save=${(sharing) => shareDashboard(dashboard, sharing)} onSaved=${setDashboard} /></div>
  </li>`;
}

function NewDashboard({ onCancel }) {
  const [name, setName] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const create = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await api.post("/api/v1/dashboards", {
        name: name.trim(),
        description: "",
        filters: { range: "7d", tz: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" },
        widgets: STARTER_WIDGETS,
      });
      window.location.assign(`/dashboards/${created.id}`);
    } catch (problem) {
      setError(problem.message);
      setBusy(false);
    }
  };
  return html`<form class="new-dashboard" onSubmit=${create}>
    <label class="form-field"><span class="form-field__label">${t("Name of the new dashboard")}</span>
      <input name="name" required maxlength="200" value=${name} onInput=${(event) => setName(event.currentTarget.value)} autofocus /></label>
    <button type="submit" class="btn btn--primary" disabled=${busy || !name.trim()}>${t("Create")}</button>
    <button type="button" class="btn btn--ghost" onClick=${onCancel}>${t("Cancel")}</button>
    ${error ? html`<p class="banner banner--error" role="alert">${error}</p>` : null}
  </form>`;
}

function Dashboards() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    api.get("/api/v1/dashboards").then((answer) => setItems(answer.items || []), (problem) => setError(problem.message));
  }, []);
  return html`<div class="dashboards">
    <header class="page-head">
      <div>
        <h1>${t("Dashboards")}</h1>
        <p class="page-head__sub">${t("Live figures on what is said, every one a click away from its posts.")}</p>
      </div>
      <div class="page-head__actions">
        ${creating ? null : html`<button type="button" class="btn btn--primary" data-action="new" onClick=${() => setCreating(true)}>${t("New dashboard")}</button>`}
      </div>
    </header>
    ${creating ? html`<${NewDashboard} onCancel=${() => setCreating(false)} />` : null}
    ${error ? html`<p class="banner banner--error" role="alert">${error}</p>` : null}
    ${items === null && !error ? html`<p class="admin-empty" role="status">${t("Loading…")}</p>` : null}
    ${items && items.length === 0
      ? html`<div class="admin-empty"><h2>${t("No dashboard yet")}</h2><p>${t("Create one: it starts with the key figures, volume, sentiment and the top posts.")}</p></div>`
      : null}
    ${items && items.length ? html`<ul class="dash-cards" role="list">${items.map((item) => html`<${Card} key=${item.id} dashboard=${item} />`)}</ul>` : null}
  </div>`;
}

const mount = document.getElementById("dashboards");
if (mount) render(html`<${Dashboards} />`, mount);

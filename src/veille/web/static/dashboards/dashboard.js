// One dashboard (/dashboards/{id}): the filter bar every widget follows and the grid of widgets,
// which can be added, moved, resized, set up and removed, then saved (PUT /api/v1/dashboards/{id}).
// In report mode (/dashboards/{id}/report, printed to PDF by the hub) the same widgets are laid out
// one after the other after a cover that lists the filters, and the top posts close the report.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { FilterBar, MultiChoice, presetName } from "veille/filterbar.js";
import { formatDate, formatDateTime } from "veille/format.js";
import { GridStack } from "veille/grid.js";
import { t } from "veille/i18n.js";
import { countryName, languageName } from "veille/widgets/countries.js";
import { normaliseFilters, resolveRange, Widget, widgetDefinition, widgetTypes } from "veille/widgets/index.js";
import { sentimentName, sourceLabel } from "veille/widgets/posts.js";
import { SharingControl } from "../sharing/common.js";
import { nextSlot, readingOrder, shareDashboard, toDocument, withKeys } from "./model.js";

const CELL_HEIGHT = 84;

// --- the grid (gridstack keeps the places; each cell is its own Preact root) ---

function WidgetCell({ widget, filters, editing, onSettings, onRemove }) {
  return html`<div class="cell" data-widget-key=${widget.key}>
    ${editing
      ? html`<div class="cell__tools">
          <span class="cell__grip" aria-hidden="true">⠿</span>
          <button type="button" class="cell__tool" data-action="settings" onClick=${() => onSettings(widget.key)} title=${t("Settings")}>⚙</button>
          <button type="button" class="cell__tool" data-action="remove" onClick=${() => onRemove(widget.key)} title=${t("Remove this widget")}>✕</button>
        </div>`
      : null}
    <${Widget} type=${widget.type} title=${widget.title} options=${widget.options} filters=${filters} />
  </div>`;
}

// Each widget of the grid in its gridstack item (added, updated, or removed with its item).
function syncCells(made, cells, { widgets, filters, editing, onSettings, onRemove }) {
  const seen = new Set();
  made.batchUpdate();
  for (const widget of widgets) {
    seen.add(widget.key);
    let element = cells.get(widget.key);
    if (!element) {
      element = made.addWidget({ id: widget.key, x: widget.x, y: widget.y, w: widget.w, h: widget.h });
      cells.set(widget.key, element);
    }
    element.dataset.widgetType = widget.type;
    render(
      html`<${WidgetCell} widget=${widget} filters=${filters} editing=${editing} onSettings=${onSettings} onRemove=${onRemove} />`,
      element.querySelector(".grid-stack-item-content"),
    );
  }
  for (const [key, element] of [...cells.entries()]) {
    if (seen.has(key)) continue;
    render(null, element.querySelector(".grid-stack-item-content"));
    made.removeWidget(element, true, false);
    cells.delete(key);
  }
  made.batchUpdate(false);
}

function Grid({ widgets, filters, editing, onLayout, onSettings, onRemove }) {
  const container = useRef(null);
  const grid = useRef(null);
  const cells = useRef(new Map());
  const onLayoutRef = useRef(onLayout);
  onLayoutRef.current = onLayout;

  useEffect(() => {
    const made = GridStack.init(
      {
        column: 12,
        cellHeight: CELL_HEIGHT,
        margin: 7,
        float: false,
        animate: true,
        staticGrid: true,
        handle: ".cell__grip, .widget__head",
        columnOpts: { breakpoints: [{ w: 720, c: 1 }] },
      },
      container.current,
    );
    grid.current = made;
    made.on("change", (_event, nodes) => {
      onLayoutRef.current((nodes || []).map((node) => ({ key: node.id, x: node.x, y: node.y, w: node.w, h: node.h })));
    });
    return () => {
      for (const element of cells.current.values()) render(null, element.querySelector(".grid-stack-item-content"));
      cells.current.clear();
      made.destroy(false);
    };
  }, []);

  useEffect(() => {
    // Out of this effect: the vendored Preact drops the effects of components rendered (by another
    // render() root) while it is flushing effects, and the widgets' effects are what load them.
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) syncCells(grid.current, cells.current, { widgets, filters, editing, onSettings, onRemove });
    });
    return () => {
      cancelled = true;
    };
  }, [widgets, filters, editing]);

  useEffect(() => {
    grid.current.setStatic(!editing);
  }, [editing]);

  return html`<div class=${`grid-stack dashboard-grid${editing ? " is-editing" : ""}`} ref=${container}></div>`;
}

// --- dialogs: a widget's settings, adding a widget ---

function choiceKey(value) {
  return JSON.stringify(value ?? null);
}

function Field({ field, value, onChange, topics }) {
  const label = field.label();
  if (field.kind === "topics") {
    const options = topics.map((topic) => ({ value: topic.name, label: topic.label || topic.name, hint: topic.kind }));
    return html`<div class="form-field"><span class="form-field__label">${label}</span>
      <${MultiChoice} name=${`option-${field.name}`} label=${label} options=${options} chosen=${Array.isArray(value) ? value : []} onChange=${onChange} allText=${t("The filter bar's")} /></div>`;
  }
  if (field.kind === "text") {
    return html`<label class="form-field"><span class="form-field__label">${label}</span>
      <textarea rows="6" data-option=${field.name} value=${value || ""} onInput=${(event) => onChange(event.currentTarget.value)}></textarea></label>`;
  }
  return html`<label class="form-field"><span class="form-field__label">${label}</span>
    <select data-option=${field.name} value=${choiceKey(value)} onChange=${(event) => onChange(JSON.parse(event.currentTarget.value))}>
      ${field.choices.map((choice) => html`<option key=${choiceKey(choice)} value=${choiceKey(choice)}>${field.choiceLabel ? field.choiceLabel(choice) : String(choice)}</option>`)}
    </select></label>`;
}

function Dialog({ title, onClose, children, footer }) {
  const box = useRef(null);
  useEffect(() => {
    const dialog = box.current;
    if (!dialog.open) dialog.showModal();
    const cancel = (event) => {
      event.preventDefault();
      onClose();
    };
    dialog.addEventListener("cancel", cancel);
    return () => dialog.removeEventListener("cancel", cancel);
  }, []);
  return html`<dialog class="dialog" ref=${box} aria-label=${title}>
    <header class="dialog__head"><h2>${title}</h2><button type="button" class="btn btn--ghost btn--icon" onClick=${onClose} aria-label=${t("Close")}>×</button></header>
    <div class="dialog__body">${children}</div>
    ${footer ? html`<footer class="dialog__foot">${footer}</footer>` : null}
  </dialog>`;
}

function SettingsDialog({ widget, topics, onApply, onClose }) {
  const definition = widgetDefinition(widget.type);
  const [title, setTitle] = useState(widget.title || "");
  const [options, setOptions] = useState({ ...(definition ? definition.defaults : {}), ...(widget.options || {}) });
  const apply = () => {
    onApply({ ...widget, title: title.trim(), options });
    onClose();
  };
  return html`<${Dialog}
    title=${t("Widget settings")}
    onClose=${onClose}
    footer=${html`<button type="button" class="btn btn--ghost" onClick=${onClose}>${t("Cancel")}</button>
      <button type="button" class="btn btn--primary" data-action="apply" onClick=${apply}>${t("Apply")}</button>`}
  >
    <label class="form-field"><span class="form-field__label">${t("Title")}</span>
      <input type="text" data-option="title" maxlength="200" value=${title} placeholder=${definition ? definition.label() : widget.type} onInput=${(event) => setTitle(event.currentTarget.value)} /></label>
    ${(definition ? definition.fields : []).map(
      (field) => html`<${Field} key=${field.name} field=${field} topics=${topics} value=${options[field.name]} onChange=${(value) => setOptions({ ...options, [field.name]: value })} />`,
    )}
  </${Dialog}>`;
}

const TYPE_HINTS = {
  kpi: () => t("One figure and its change"),
  volume: () => t("Posts over time"),
  sentiment: () => t("Positive, neutral, negative"),
  share_of_voice: () => t("Brands compared"),
  map: () => t("A world map of the posts"),
  trends: () => t("What is rising now"),
  influencers: () => t("Who counts here"),
  top_posts: () => t("The most engaging posts"),
  feed: () => t("New posts, live"),
  care: () => t("Response rate and times"),
  content: () => t("How our posts perform"),
  text: () => t("A note"),
};

function AddDialog({ onAdd, onClose }) {
  return html`<${Dialog} title=${t("Add a widget")} onClose=${onClose}>
    <ul class="type-list" role="list">
      ${widgetTypes().map((type) => {
        const definition = widgetDefinition(type);
        return html`<li key=${type}>
          <button type="button" class="type-card" data-add-type=${type} onClick=${() => { onAdd(type); onClose(); }}>
            <b>${definition.label()}</b><span>${TYPE_HINTS[type] ? TYPE_HINTS[type]() : ""}</span>
          </button>
        </li>`;
      })}
    </ul>
  </${Dialog}>`;
}

// --- the filters, in words (the report's cover) ---

export function describeFilters(filters) {
  const chosen = normaliseFilters(filters);
  const range =
    typeof chosen.range === "string"
      ? t("Last {period}", { period: presetName(chosen.range) })
      : t("From {from} to {to}", { from: formatDate(chosen.range.from, { timeZone: chosen.tz }), to: formatDate(chosen.range.to, { timeZone: chosen.tz }) });
  const all = t("All");
  return [
    [t("Period"), range],
    [t("Time zone"), chosen.tz],
    [t("Topics"), chosen.topics.join(", ") || all],
    [t("Countries"), chosen.countries.map((code) => countryName(code)).join(", ") || all],
    [t("Languages"), chosen.languages.map((code) => languageName(code)).join(", ") || all],
    [t("Sources"), chosen.sources.map(sourceLabel).join(", ") || all],
    [t("Sentiment"), chosen.sentiment.map(sentimentName).join(", ") || all],
    [t("Near-duplicates"), chosen.include_duplicates ? t("Included") : t("Left out")],
  ];
}

function Report({ dashboard, filters, widgets }) {
  const range = useMemo(() => resolveRange(filters), [filters]);
  return html`<article class="report-doc" data-dashboard=${dashboard.id}>
    <section class="report-cover">
      <p class="report-cover__brand">Veille · ${t("Dashboard report")}</p>
      <h1>${dashboard.name}</h1>
      ${dashboard.description ? html`<p class="report-cover__description">${dashboard.description}</p>` : null}
      <p class="report-cover__printed">${t("Printed {when}", { when: formatDateTime(Date.now()) })}</p>
      <dl class="report-filters">
        ${describeFilters(filters).map(([name, value]) => html`<div key=${name}><dt>${name}</dt><dd>${value}</dd></div>`)}
      </dl>
    </section>
    ${readingOrder(widgets).map(
      (widget) => html`<section key=${widget.key} class=${`report-widget report-widget--w${widget.w}`} style=${{ "--h": String(widget.h) }}>
        <${Widget} type=${widget.type} title=${widget.title} options=${widget.options} filters=${filters} range=${range} drill=${false} />
      </section>`,
    )}
    <section class="report-widget report-widget--top">
      <${Widget} type="top_posts" title=${t("Top posts")} options=${{ limit: 10, by: "engagement" }} filters=${filters} range=${range} drill=${false} />
    </section>
  </article>`;
}

// --- the page ---

function Dashboard({ id, mode }) {
  const [dashboard, setDashboard] = useState(null);
  const [filters, setFilters] = useState(null);
  const [widgets, setWidgets] = useState([]);
  const [topics, setTopics] = useState([]);
  const [editing, setEditing] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState({ kind: "loading" });
  const [dialog, setDialog] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    api.get(`/api/v1/dashboards/${id}`).then(
      (found) => {
        setDashboard(found);
        setFilters(normaliseFilters(found.filters));
        setWidgets(withKeys(found.widgets));
        setStatus({ kind: "ready" });
        document.title = `${found.name} — Veille`;
      },
      (error) => setStatus({ kind: "error", message: error.message }),
    );
    if (mode !== "report") api.get("/api/v1/topics").then((answer) => setTopics(answer.items || []), () => setTopics([]));
  }, [id]);

  const changeFilters = useCallback((next) => {
    setFilters(normaliseFilters(next));
    setDirty(true);
  }, []);
  const onLayout = useCallback((places) => {
    setWidgets((current) => {
      const byKey = new Map(places.map((place) => [place.key, place]));
      let changed = false;
      const next = current.map((widget) => {
        const place = byKey.get(widget.key);
        if (!place || (place.x === widget.x && place.y === widget.y && place.w === widget.w && place.h === widget.h)) return widget;
        changed = true;
        return { ...widget, x: place.x, y: place.y, w: place.w, h: place.h };
      });
      if (changed) setDirty(true);
      return changed ? next : current;
    });
  }, []);
  const onSettings = useCallback((key) => setDialog({ kind: "settings", key }), []);
  const onRemove = useCallback((key) => {
    setWidgets((current) => current.filter((widget) => widget.key !== key));
    setDirty(true);
  }, []);
  const addWidget = (type) => {
    const definition = widgetDefinition(type);
    setWidgets((current) => {
      const size = definition.size || { w: 4, h: 4 };
      const [added] = withKeys([{ type, title: "", ...nextSlot(current), w: size.w, h: size.h, options: { ...definition.defaults } }]);
      return [...current, added];
    });
    setDirty(true);
  };
  const applySettings = (changed) => {
    setWidgets((current) => current.map((widget) => (widget.key === changed.key ? changed : widget)));
    setDirty(true);
  };
  const save = async () => {
    setStatus({ kind: "saving" });
    try {
      const saved = await api.put(`/api/v1/dashboards/${id}`, toDocument(dashboard, filters, widgets));
      setDashboard(saved);
      setDirty(false);
      setStatus({ kind: "saved", at: Date.now() });
    } catch (error) {
      setStatus({ kind: "failed", message: error.message });
    }
  };
  const remove = async () => {
    try {
      await api.delete(`/api/v1/dashboards/${id}`);
      window.location.assign("/dashboards");
    } catch (error) {
      setStatus({ kind: "failed", message: error.message });
    }
  };

  if (status.kind === "loading") return html`<p class="admin-empty" role="status">${t("Loading…")}</p>`;
  if (status.kind === "error") return html`<div class="banner banner--error" role="alert">${t("This dashboard could not be loaded:")} ${status.message}</div>`;
  if (mode === "report") return html`<${Report} dashboard=${dashboard} filters=${filters} widgets=${widgets} />`;

  const settingsOf = dialog && dialog.kind === "settings" ? widgets.find((widget) => widget.key === dialog.key) : null;
  return html`<div class="dashboard" data-dashboard=${dashboard.id} data-dirty=${dirty ? "true" : "false"}>
    <header class="page-head dashboard-head">
      <div>
        <p class="dashboard-head__crumb"><a href="/dashboards">${t("Dashboards")}</a></p>
        <h1>${dashboard.name}</h1>
        ${dashboard.description ? html`<p class="page-head__sub">${dashboard.description}</p>` : null}
        <${SharingControl} kind="dashboard" item=${dashboard} save=${(sharing) => shareDashboard(dashboard, sharing)} onSaved=${setDashboard} />
      </div>
      <div class="page-head__actions">
        <span class="save-state" role="status" data-save-state=${status.kind}>
          ${status.kind === "saving" ? t("Saving…") : status.kind === "saved" && !dirty ? t("Saved") : status.kind === "failed" ? status.message : dirty ? t("Unsaved changes") : ""}
        </span>
        ${editing
          ? html`<button type="button" class="btn" data-action="add-widget" onClick=${() => setDialog({ kind: "add" })}>${t("Add a widget")}</button>
              ${confirmDelete
                ? html`<button type="button" class="btn btn--danger" data-action="confirm-delete" onClick=${remove}>${t("Delete for good")}</button>`
                : html`<button type="button" class="btn btn--ghost btn--danger-text" data-action="delete" onClick=${() => setConfirmDelete(true)}>${t("Delete")}</button>`}
              <button type="button" class="btn" data-action="done" onClick=${() => { setEditing(false); setConfirmDelete(false); }}>${t("Done")}</button>`
          : html`<button type="button" class="btn" data-action="edit" onClick=${() => setEditing(true)}>${t("Edit")}</button>
              <a class="btn" href=${`/api/v1/dashboards/${id}/report.pdf`} data-action="report" download>${t("PDF report")}</a>`}
        <button type="button" class="btn btn--primary" data-action="save" disabled=${!dirty || status.kind === "saving"} onClick=${save}>${t("Save")}</button>
      </div>
    </header>
    <${FilterBar} filters=${filters} topics=${topics} onChange=${changeFilters} />
    ${widgets.length === 0
      ? html`<div class="admin-empty"><h2>${t("This dashboard has no widget yet")}</h2><p>${t("Choose Edit, then Add a widget.")}</p></div>`
      : null}
    <${Grid} widgets=${widgets} filters=${filters} editing=${editing} onLayout=${onLayout} onSettings=${onSettings} onRemove=${onRemove} />
    ${dialog && dialog.kind === "add" ? html`<${AddDialog} onAdd=${addWidget} onClose=${() => setDialog(null)} />` : null}
    ${settingsOf ? html`<${SettingsDialog} widget=${settingsOf} topics=${topics} onApply=${applySettings} onClose=${() => setDialog(null)} />` : null}
  </div>`;
}

const mount = document.getElementById("dashboard");
if (mount) render(html`<${Dashboard} id=${mount.dataset.dashboardId} mode=${mount.dataset.mode || "page"} />`, mount);

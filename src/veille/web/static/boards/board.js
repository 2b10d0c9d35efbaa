// What every board (/care, /countries, /influencers, /influencers/{author}, /content) shares: the
// page head, the filter bar every widget of the board follows, the topics it offers, and Panel, the
// frame of a board's own parts (not widgets: they carry data-panel, not data-widget, and the same
// data-state words: loading, ready, empty, error).
//
// The filters live in the page's address (?filters=<JSON>), so a board can be shared and reloaded
// as it is seen, and its links to the explorer and to an author's page keep them.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { FilterBar } from "veille/filterbar.js";
import { t } from "veille/i18n.js";
import { normaliseFilters } from "veille/widgets/index.js";

export function filtersFromAddress(defaults = {}) {
  const raw = new URLSearchParams(window.location.search).get("filters");
  if (raw) {
    try {
      return normaliseFilters(JSON.parse(raw));
    } catch {
      // A hand-edited address: the board's defaults instead.
    }
  }
  return normaliseFilters(defaults);
}

/** ?filters=… for a link that keeps the board's filters. */
export function filtersQuery(filters) {
  return `filters=${encodeURIComponent(JSON.stringify(normaliseFilters(filters)))}`;
}

export function useBoardFilters(defaults = {}) {
  const [filters, setFilters] = useState(() => filtersFromAddress(defaults));
  const [topics, setTopics] = useState([]);
  useEffect(() => {
    api.get("/api/v1/topics").then((answer) => setTopics(answer.items || []), () => setTopics([]));
  }, []);
  const change = useCallback((next) => {
    const chosen = normaliseFilters(next);
    setFilters(chosen);
    const address = new URL(window.location.href);
    address.searchParams.set("filters", JSON.stringify(chosen));
    window.history.replaceState(null, "", address);
  }, []);
  return { filters, topics, setFilters: change };
}

export function BoardHead({ title, subtitle, crumb, children }) {
  return html`<header class="page-head board-head">
    <div>
      ${crumb ? html`<p class="dashboard-head__crumb">${crumb}</p>` : null}
      <h1>${title}</h1>
      ${subtitle ? html`<p class="page-head__sub">${subtitle}</p>` : null}
    </div>
    ${children ? html`<div class="page-head__actions">${children}</div>` : null}
  </header>`;
}

/** The page: head (``actions`` on its right), the filter bar (``options``: the board's own
 * controls, at the bar's end) and the grid of cells. */
export function Board({ name, title, subtitle, crumb, filters, topics, onFilters, actions, options, children }) {
  return html`<div class="board" data-board=${name}>
    <${BoardHead} title=${title} subtitle=${subtitle} crumb=${crumb}>${actions}</${BoardHead}>
    ${onFilters ? html`<${FilterBar} filters=${filters} topics=${topics} onChange=${onFilters}>${options}</${FilterBar}>` : null}
    <div class="board-grid">${children}</div>
  </div>`;
}

/** A cell of the board's grid: ``span`` of 12 columns, ``rows`` of 80 px (0: as tall as its content). */
export function Cell({ span = 12, rows = 5, children, name }) {
  const style = rows ? { "--rows": String(rows) } : null;
  return html`<div class=${`board-cell board-cell--${span}${rows ? "" : " board-cell--auto"}`} style=${style} data-cell=${name || null}>${children}</div>`;
}

const STATE_WORDS = {
  loading: () => t("Loading…"),
  empty: () => t("Nothing in this period."),
  error: () => t("Could not load this:"),
};

/** A board's own part: a titled frame with data-panel and data-state, its message in words. */
export function Panel({ name, title, state, error, emptyText, subtitle, children }) {
  return html`<section class=${`widget board-panel board-panel--${name}`} data-panel=${name} data-state=${state} aria-busy=${state === "loading" ? "true" : "false"}>
    <header class="widget__head"><h2 class="widget__title">${title}</h2></header>
    ${subtitle && state === "ready" ? html`<p class="widget__subtitle">${subtitle}</p>` : null}
    <div class="widget__body">
      ${state === "loading"
        ? html`<p class="widget__message widget__message--loading" role="status"><span class="widget__spinner" aria-hidden="true"></span>${STATE_WORDS.loading()}</p>`
        : state === "empty"
          ? html`<p class="widget__message widget__message--empty">${emptyText || STATE_WORDS.empty()}</p>`
          : state === "error"
            ? html`<p class="widget__message widget__message--error" role="alert">${STATE_WORDS.error()} ${error ? error.message : ""}</p>`
            : children}
    </div>
  </section>`;
}

/** The topics' labels by name (GET /api/v1/topics), for tables that list topics. */
export function topicLabel(topics, name) {
  const found = topics.find((topic) => topic.name === name);
  return (found && found.label) || name;
}

export function mountBoard(Component) {
  const mount = document.getElementById("board");
  if (!mount) return;
  mount.replaceChildren(); // the page's "Loading…" until the module runs
  render(html`<${Component} ...${{ ...mount.dataset }} />`, mount);
}

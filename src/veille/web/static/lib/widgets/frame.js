// What every widget shares: the frame (title, state in words, CSV and PNG actions) and the hooks
// that load its data, keep it live and open the explorer.
//
// DOM contract (relied on by checks): the frame's root carries data-widget="<type>" and
// data-state="loading|ready|empty|error"; every post shown carries data-post-id (posts.js).
import { html } from "htm/preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { t } from "../i18n.js";
import { chartPng, printing } from "./chart.js";
import { download, fileStem, toCsv } from "./csv.js";
import { filtersKey, isLiveRange, postMatches, resolveRange } from "./filters.js";
import { followPosts } from "./live_posts.js";

/**
 * Load a widget's data. ``load(range, signal)`` returns a promise of the data; it runs again when
 * ``key`` changes (filters or options: the widget shows "Loading…") and on ``refresh()`` (live: the
 * widget keeps showing its figures while the new ones load). ``isEmpty(data)`` tells "nothing".
 */
export function useWidgetData({ filters, options, load, isEmpty, fixedRange }) {
  const key = `${filtersKey(filters)}|${JSON.stringify(options || {})}|${fixedRange ? JSON.stringify(fixedRange) : ""}`;
  const [state, setState] = useState({ status: "loading", data: null, range: null, error: null });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastKey = useRef(null);

  useEffect(() => {
    const controller = new AbortController();
    const fresh = lastKey.current !== key;
    lastKey.current = key;
    if (fresh) setState({ status: "loading", data: null, range: null, error: null });
    const range = fixedRange || resolveRange(filters);
    loadRef
      .current(range, controller.signal)
      .then((data) => {
        if (controller.signal.aborted) return;
        setState({ status: isEmpty(data) ? "empty" : "ready", data, range, error: null });
      })
      .catch((error) => {
        if (controller.signal.aborted || (error && error.name === "AbortError")) return;
        // A failed background refresh keeps the figures shown; a failed first load says so.
        setState((previous) =>
          !fresh && previous.data ? previous : { status: "error", data: null, range, error },
        );
      });
    return () => controller.abort();
  }, [key, generation]);

  const refresh = useCallback(() => setGeneration((value) => value + 1), []);
  const update = useCallback(
    (change) =>
      setState((previous) => {
        if (!previous.data) return previous;
        const data = change(previous.data);
        return { ...previous, data, status: isEmpty(data) ? "empty" : "ready" };
      }),
    [],
  );
  return { ...state, refresh, update };
}

/**
 * Keep a widget live: ``onPost(post)`` for each new post matching the filters (counters tick), and
 * ``refresh()`` at most every ``everyMs`` while posts keep arriving (the figures are read again,
 * cheaply, from the rollups). Only ranges that end now are live; a fixed range never changes.
 */
export function useLive({ filters, enabled = true, onPost, refresh, everyMs = 30_000 }) {
  const onPostRef = useRef(onPost);
  onPostRef.current = onPost;
  const key = filtersKey(filters);
  useEffect(() => {
    // A printed report is a snapshot: no stream (it would keep the print waiting for ever).
    if (!enabled || !isLiveRange(filters) || printing()) return undefined;
    let dirty = false;
    let timer = null;
    const flush = () => {
      timer = null;
      if (dirty) {
        dirty = false;
        refresh();
        timer = setTimeout(flush, everyMs);
      }
    };
    const stop = followPosts((post, info) => {
      if (!postMatches(post, filters)) return;
      if (onPostRef.current) onPostRef.current(post, info);
      if (!refresh) return;
      dirty = true;
      if (timer === null) timer = setTimeout(flush, everyMs);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [key, enabled, everyMs]);
}

/** Go to the explorer (a chart's point); rows use real links instead, so they open in a new tab too. */
export function openExplorer(url) {
  if (url) window.location.assign(url);
}

const STATE_WORDS = {
  loading: () => t("Loading…"),
  empty: () => t("No posts match these filters in this period."),
};

function Actions({ csv, png, title, type }) {
  const stem = fileStem(title, type);
  const exportCsv = () => {
    const table = csv();
    if (table) download(`${stem}.csv`, toCsv(table.columns, table.rows));
  };
  const exportPng = () => {
    const url = png();
    if (url) download(`${stem}.png`, url);
  };
  return html`<span class="widget__actions">
    ${csv
      ? html`<button type="button" class="widget__action" data-action="csv" onClick=${exportCsv} title=${t("Download the data as CSV")}>CSV</button>`
      : null}
    ${png
      ? html`<button type="button" class="widget__action" data-action="png" onClick=${exportPng} title=${t("Download the chart as PNG")}>PNG</button>`
      : null}
  </span>`;
}

/**
 * The frame of a widget. ``state`` is loading | ready | empty | error; ``csv()`` returns
 * {columns, rows} (the CSV button shows when there is data), ``chart`` is a ref to an ECharts
 * instance (the PNG button), ``emptyText`` replaces the generic empty sentence.
 */
export function WidgetFrame({ type, title, state, error, onRetry, csv, chart, emptyText, subtitle, live, children, className }) {
  const root = useRef(null);
  const png = chart ? () => (chart.current ? chartPng(chart.current, root.current) : null) : null;
  const ready = state === "ready";
  return html`<section
    class=${`widget widget--${type}${className ? ` ${className}` : ""}`}
    data-widget=${type}
    data-state=${state}
    ref=${root}
    aria-busy=${state === "loading" ? "true" : "false"}
  >
    <header class="widget__head">
      <h2 class="widget__title">${title}${live && ready ? html`<span class="widget__live" title=${t("Updated as posts arrive")} aria-hidden="true"></span>` : null}</h2>
      ${ready ? html`<${Actions} csv=${csv} png=${png} title=${title} type=${type} />` : null}
    </header>
    ${subtitle && ready ? html`<p class="widget__subtitle">${subtitle}</p>` : null}
    <div class="widget__body">
      ${state === "loading"
        ? html`<p class="widget__message widget__message--loading" role="status"><span class="widget__spinner" aria-hidden="true"></span>${STATE_WORDS.loading()}</p>`
        : state === "empty"
          ? html`<p class="widget__message widget__message--empty">${emptyText || STATE_WORDS.empty()}</p>`
          : state === "error"
            ? html`<div class="widget__message widget__message--error" role="alert">
                <p>${t("This widget could not be loaded:")} <span class="widget__error-text">${errorText(error)}</span></p>
                ${onRetry ? html`<button type="button" class="widget__retry" onClick=${onRetry}>${t("Try again")}</button>` : null}
              </div>`
            : children}
    </div>
  </section>`;
}

function errorText(error) {
  if (!error) return t("unknown error");
  if (error.status === 0) return t("the hub did not answer");
  return error.message || String(error);
}

/** A stable memo of a value by its JSON (options objects are rebuilt on every render of the host). */
export function useStable(value) {
  const text = JSON.stringify(value ?? null);
  return useMemo(() => value, [text]);
}

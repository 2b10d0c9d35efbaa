// The Sources admin page: every platform source with its health, refreshed every few seconds and
// whenever the tab comes back into view; stop, start and delete; an "Add source" form built from
// the connectors' declared metadata. The hub's own sources (simulator, files, push API) are listed
// read-only, and each source shows the items it could not turn into posts (its dead letters). Everything from the hub (names, errors, config values) reaches
// the page as Preact text children or attributes, never as HTML.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";
import { formatDuration, formatNumber } from "veille/format.js";
import { SharingControl } from "../sharing/common.js";
import {
  alertLabel,
  clockOf,
  configText,
  failedText,
  fieldError,
  initialValue,
  placeholderOf,
  platformSources,
  stateNote,
  stateOf,
  tableFromForm,
} from "./format.js";

const REFRESH_MS = 5_000;
const TICK_MS = 1_000;
const FOLLOW_UP_MS = [700, 2_000];
// Keys of a masked config shown as the row's summary, not again in its details.
const HUB_KEYS = new Set(["type", "name"]);

// ---------------------------------------------------------------------------------------------- page

function SourcesPage() {
  const [sources, setSources] = useState(null);
  const [alerts, setAlerts] = useState([]);
  const [connectors, setConnectors] = useState(null);
  const [unavailable, setUnavailable] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [updatedAt, setUpdatedAt] = useState(null);
  const [now, setNow] = useState(Date.now());
  const [formOpen, setFormOpen] = useState(false);
  const [notice, setNotice] = useState(null);
  const inFlight = useRef(false);

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const listing = await api.get("/api/v1/sources");
      setSources(listing.items);
      setAlerts(listing.alerts);
      setUnavailable(null);
      setLoadError(null);
      setUpdatedAt(Date.now());
    } catch (error) {
      if (error.status === 503) setUnavailable(String(error.detail));
      else if (error.status !== 401) setLoadError(String(error.message));
    } finally {
      inFlight.current = false;
    }
  }, []);

  useEffect(() => {
    refresh();
    api.get("/api/v1/connectors")
      .then((body) => setConnectors(body))
      .catch((error) => setLoadError(String(error.message)));
    const poll = setInterval(() => {
      if (!document.hidden) refresh();
    }, REFRESH_MS);
    const tick = setInterval(() => setNow(Date.now()), TICK_MS);
    const onVisible = () => {
      if (!document.hidden) refresh();
    };
    window.addEventListener("focus", onVisible);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
      window.removeEventListener("focus", onVisible);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [refresh]);

  // A connector takes a moment to connect or fail after a write: look again soon, not in 5 s.
  const refreshSoon = () => {
    refresh();
    for (const delay of FOLLOW_UP_MS) setTimeout(refresh, delay);
  };

  // The view a write returned replaces the row at once; the next refresh brings the alerts.
  const replaceSource = (view) => setSources((items) => (items || []).map((item) => (item.name === view.name ? view : item)));

  const act = async (name, verb) => {
    try {
      if (verb === "delete") {
        await api.delete(`/api/v1/sources/${encodeURIComponent(name)}`);
        setSources((items) => (items || []).filter((item) => item.name !== name));
        setNotice({ tone: "ok", text: t("Source {name} deleted.", { name }) });
      } else {
        replaceSource(await api.post(`/api/v1/sources/${encodeURIComponent(name)}/${verb}`));
        setNotice({ tone: "ok", text: verb === "stop" ? t("Source {name} stopped.", { name }) : t("Source {name} started.", { name }) });
      }
    } catch (error) {
      setNotice({ tone: "bad", text: `${name}: ${error.message}` });
    }
    refreshSoon();
  };

  const onAdded = (view) => {
    setFormOpen(false);
    setSources((items) => [...(items || []).filter((item) => item.name !== view.name), view]);
    setNotice({ tone: "ok", text: t("Source {name} added and started.", { name: view.name }) });
    refreshSoon();
  };

  const titles = Object.fromEntries((connectors?.items || []).map((item) => [item.type, item.title]));

  return html`
    <div class="admin-page">
      <header class="page-head">
        <div>
          <h1>${t("Sources")}</h1>
          <p class="page-head__sub">${t("Platform connectors feeding the hub: health, throughput and alerts, live.")}</p>
        </div>
        <div class="page-head__actions">
          <${Freshness} updatedAt=${updatedAt} now=${now} failing=${!!loadError} />
          <button
            type="button"
            class="btn btn--primary"
            data-action="open-add"
            disabled=${!connectors || !!unavailable}
            onClick=${() => setFormOpen(true)}
          >
            <span aria-hidden="true">+</span> ${t("Add source")}
          </button>
        </div>
      </header>
      ${notice && html`<${Notice} notice=${notice} onClose=${() => setNotice(null)} />`}
      ${loadError && html`<p class="banner banner--bad" role="alert">${t("Could not read the sources: {error}", { error: loadError })}</p>`}
      ${unavailable
        ? html`<div class="admin-empty"><h2>${t("No platform sources here")}</h2><p>${unavailable}</p></div>`
        : sources === null
          ? html`<div class="admin-empty" aria-busy="true">${t("Loading sources…")}</div>`
          : html`
              <${Summary} sources=${sources} alerts=${alerts} />
              <${AlertList} alerts=${alerts} />
              <${SourceTable} sources=${sources} titles=${titles} now=${now} onAct=${act} onAdd=${() => setFormOpen(true)} />
            `}
      ${formOpen &&
      connectors &&
      html`<${AddSourceDrawer} connectors=${connectors} onClose=${() => setFormOpen(false)} onAdded=${onAdded} />`}
    </div>
  `;
}

function Freshness({ updatedAt, now, failing }) {
  if (updatedAt === null) return html`<span class="freshness">…</span>`;
  const seconds = Math.max(0, Math.round((now - updatedAt) / 1000));
  return html`<span class=${`freshness${failing ? " freshness--stale" : ""}`} data-freshness>
    <span class="freshness__dot" aria-hidden="true"></span>
    ${seconds < 2 ? t("Updated just now") : t("Updated {seconds} s ago", { seconds })}
  </span>`;
}

function Notice({ notice, onClose }) {
  useEffect(() => {
    const timer = setTimeout(onClose, 6000);
    return () => clearTimeout(timer);
  }, [notice]);
  return html`<div class=${`toast toast--${notice.tone}`} role="status" data-notice>
    <span>${notice.text}</span>
    <button type="button" class="toast__close" aria-label=${t("Dismiss")} onClick=${onClose}>×</button>
  </div>`;
}

function Summary({ sources, alerts }) {
  // "Connected" counts the platform sources: the hub's own connect to nothing.
  const platform = platformSources(sources);
  const own = sources.length - platform.length;
  const running = platform.filter((item) => item.running).length;
  const connected = platform.filter((item) => item.health.connected).length;
  const perMinute = sources.reduce((sum, item) => sum + (item.health.posts_per_min || 0), 0);
  const kept = sources.reduce((sum, item) => sum + (item.health.posts_total || 0), 0);
  const failed = sources.reduce((sum, item) => sum + (item.failed || 0), 0);
  return html`<section class="stats" aria-label=${t("Summary")}>
    <div class="stat">
      <span class="stat__label">${t("Sources")}</span>
      <span class="stat__value" data-stat="sources">${platform.length}</span>
      <span class="stat__hint">${t("{count} running", { count: running })}${own ? ` · ${t("{count} of the hub's own", { count: own })}` : ""}</span>
    </div>
    <div class="stat">
      <span class="stat__label">${t("Connected")}</span>
      <span class="stat__value" data-stat="connected">${connected}<span class="stat__of">/ ${platform.length}</span></span>
      <span class="stat__hint">${platform.length - connected ? t("{count} not connected", { count: platform.length - connected }) : platform.length ? t("all connected") : t("no platform source")}</span>
    </div>
    <div class="stat">
      <span class="stat__label">${t("Posts / min")}</span>
      <span class="stat__value" data-stat="rate">${formatNumber(perMinute)}</span>
      <span class="stat__hint">${t("{count} kept since start", { count: formatNumber(kept) })}</span>
    </div>
    <div class=${`stat${alerts.length ? " stat--alert" : ""}`}>
      <span class="stat__label">${t("Alerts")}</span>
      <span class="stat__value" data-stat="alerts">${alerts.length}</span>
      <span class="stat__hint" data-stat="alerts-hint">${alerts.length ? t("need attention") : failed ? t("no alert; {failed}", { failed: failedText(failed) }) : t("all quiet")}</span>
    </div>
  </section>`;
}

function AlertList({ alerts }) {
  if (!alerts.length) return null;
  return html`<section class="alerts" aria-label=${t("Alerts")} data-alerts>
    ${alerts.map(
      (alert) => html`<div class=${`alert alert--${alert.kind}`} key=${`${alert.source}/${alert.kind}`} data-alert=${alert.kind}>
        <span class="alert__kind">${alertLabel(alert.kind)}</span>
        <strong class="alert__source">${alert.source}</strong>
        <span class="alert__message">${alert.message}</span>
      </div>`,
    )}
  </section>`;
}

// ---------------------------------------------------------------------------------------------- table

function SourceTable({ sources, titles, now, onAct, onAdd }) {
  const [open, setOpen] = useState(() => new Set());
  const noPlatform = !platformSources(sources).length;
  if (!sources.length) {
    return html`<div class="admin-empty" data-empty>
      <h2>${t("No sources yet")}</h2>
      <p>${t("Declare [[sources]] tables in veille.toml, or add one here.")}</p>
      <button type="button" class="btn btn--primary" onClick=${onAdd}>${t("Add a source")}</button>
    </div>`;
  }
  const toggle = (name) =>
    setOpen((names) => {
      const next = new Set(names);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  // Platform sources first, then the hub's own (read-only), each by name.
  const sorted = [...sources].sort(
    (a, b) => Number(!!a.read_only) - Number(!!b.read_only) || a.name.localeCompare(b.name),
  );
  return html`${noPlatform &&
    html`<p class="banner" data-no-platform>
      ${t("No platform source yet: posts come from the hub's own sources below.")}${" "}
      ${t("Declare [[sources]] tables in veille.toml, or")}${" "}
      <button type="button" class="btn btn--small btn--ghost" onClick=${onAdd}>${t("add one")}</button>.
    </p>`}
    <div class="table-card">
    <table class="sources-table">
      <thead>
        <tr>
          <th scope="col">${t("Source")}</th>
          <th scope="col">${t("State")}</th>
          <th scope="col" class="num">${t("Posts/min")}</th>
          <th scope="col" class="num">${t("Lag")}</th>
          <th scope="col" class="num">${t("Kept")}</th>
          <th scope="col">${t("Last error")}</th>
          <th scope="col" class="actions-col"><span class="visually-hidden">${t("Actions")}</span></th>
        </tr>
      </thead>
      ${sorted.map(
        (source) =>
          html`<${SourceRows}
            key=${source.name}
            source=${source}
            title=${titles[source.type] || source.type}
            now=${now}
            expanded=${open.has(source.name)}
            onToggle=${() => toggle(source.name)}
            onAct=${onAct}
          />`,
      )}
    </table>
  </div>`;
}

function SourceRows({ source, title, now, expanded, onToggle, onAct }) {
  const [busy, setBusy] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const health = source.health;
  const state = stateOf(health.state);
  const alerted = source.alerts.length > 0;
  const run = async (verb) => {
    setBusy(verb);
    setConfirming(false);
    try {
      await onAct(source.name, verb);
    } finally {
      setBusy(null);
    }
  };
  const note = stateNote(source, now);
  const detailsId = `details-${source.name}`;
  return html`<tbody class=${`source${alerted ? " source--alert" : ""}${expanded ? " source--open" : ""}${source.running ? "" : " source--idle"}`} data-source=${source.name}>
    <tr class="source__row">
      <td>
        <div class="source__name">
          <span class=${`type-dot type-dot--${source.type}`} aria-hidden="true"></span>
          <span class="source__title">${source.name}</span>
        </div>
        <div class="source__meta">
          <span>${title}</span>
          <span class="tag" data-origin=${source.origin} title=${ORIGIN_TITLES[source.origin] || source.origin}>
            ${ORIGIN_LABELS[source.origin] || source.origin}
          </span>
          ${source.config.query
            ? html`<span class="source__query" title="query: only matching posts are kept">${source.config.query}</span>`
            : source.filter === "topics"
              ? html`<span class="source__query source__query--topics">${t("hub topics")}</span>`
              : null}
        </div>
      </td>
      <td>
        <span class=${`badge badge--${state.tone}`} data-state=${health.state}>
          <span class="badge__dot" aria-hidden="true"></span>${state.label}
        </span>
        ${note && html`<div class="cell-note" data-state-note>${note}</div>`}
      </td>
      <td class="num" data-cell="rate">${formatNumber(health.posts_per_min)}</td>
      <td class="num" data-cell="lag">${formatDuration(health.lag_s)}</td>
      <td class="num" data-cell="kept">${formatNumber(health.posts_total)}</td>
      <td class="error-cell">
        ${health.last_error
          ? html`<div class="last-error" title=${health.last_error} data-cell="error">${health.last_error}</div>
              <div class="cell-note">${clockOf(health.last_error_at, now)}</div>`
          : html`<span class="muted">—</span>`}
        ${source.failed > 0 &&
        html`<div class="row-failed" data-failed=${source.failed}>
          <button type="button" class="link-button" onClick=${onToggle} aria-controls=${detailsId}>${failedText(source.failed)}</button>
        </div>`}
        ${source.alerts.map(
          // The failed alert usually repeats the last error word for word: then only its kind is added.
          (alert) => html`<div class="row-alert" data-row-alert=${alert.kind}>
            <span class="row-alert__kind">${alertLabel(alert.kind)}</span>${alert.message === health.last_error ? "" : ` ${alert.message}`}
          </div>`,
        )}
      </td>
      <td class="actions">
        ${source.read_only
          ? html`<span class="muted read-only" title=${t("The hub's own source: nothing to configure, stop or delete here")}>${t("read-only")}</span>
              <${DetailsButton} source=${source} expanded=${expanded} detailsId=${detailsId} onToggle=${onToggle} />`
          : confirming
          ? html`<span class="confirm">
              <span class="confirm__text">${t("Delete?")}</span>
              <button type="button" class="btn btn--danger btn--small" data-action="confirm-delete" onClick=${() => run("delete")}>
                ${t("Delete")}
              </button>
              <button type="button" class="btn btn--ghost btn--small" onClick=${() => setConfirming(false)}>${t("Cancel")}</button>
            </span>`
          : html`
              ${source.running
                ? html`<button type="button" class="btn btn--small" data-action="stop" disabled=${!!busy} onClick=${() => run("stop")}>
                    ${busy === "stop" ? t("Stopping…") : t("Stop")}
                  </button>`
                : html`<button type="button" class="btn btn--small btn--go" data-action="start" disabled=${!!busy} onClick=${() => run("start")}>
                    ${busy === "start" ? t("Starting…") : t("Start")}
                  </button>`}
              <${DetailsButton} source=${source} expanded=${expanded} detailsId=${detailsId} onToggle=${onToggle} />
              <button
                type="button"
                class="btn btn--ghost btn--small btn--danger-text"
                data-action="delete"
                disabled=${!!busy || source.origin === "config"}
                title=${source.origin === "config" ? t("Declared in veille.toml: stop it, or remove its [[sources]] table") : t("Stop and forget this source")}
                onClick=${() => setConfirming(true)}
              >
                ${t("Delete")}
              </button>
            `}
      </td>
    </tr>
    ${expanded && html`<tr class="source__details" id=${detailsId}><td colspan="7"><${SourceDetails} source=${source} now=${now} /></td></tr>`}
  </tbody>`;
}

const ORIGIN_LABELS = { config: "veille.toml", api: "API", hub: "hub" };
const ORIGIN_TITLES = {
  config: "declared in veille.toml",
  api: "added through the API or this page",
  hub: "the hub's own source (simulator, replayed file, push API): read-only",
};

function DetailsButton({ source, expanded, detailsId, onToggle }) {
  return html`<button
    type="button"
    class="btn btn--ghost btn--small btn--icon"
    aria-expanded=${expanded}
    aria-controls=${detailsId}
    aria-label=${t("Details of {name}", { name: source.name })}
    data-action="details"
    onClick=${onToggle}
  >
    <svg viewBox="0 0 20 20" aria-hidden="true"><path d="M6 8l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" /></svg>
  </button>`;
}

// The items a source read but could not turn into posts, read when the row opens.
function DeadLetters({ source, now }) {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!source.failed) return;
    api.get(`/api/v1/sources/${encodeURIComponent(source.name)}/failed?limit=20`)
      .then((body) => setPage(body))
      .catch((failure) => setError(String(failure.message)));
  }, [source.name, source.failed]);
  if (!source.failed) {
    return html`<p class="muted" data-dead-letters="0">${failedText(source.failed) || "—"}.</p>`;
  }
  if (error) return html`<p class="banner banner--bad">${t("Could not read them: {error}", { error: String(error) })}</p>`;
  if (!page) return html`<p class="muted" aria-busy="true">${t("Reading them…")}</p>`;
  return html`<div data-dead-letters=${page.total}>
    <p>
      ${t("{failed}: kept as the platform sent them.", { failed: failedText(page.total) })}${" "}
      ${t("After an update that fixes the mapping, this command stores those that now map:")}${" "}
      <code>veille sources replay-failed ${source.name}</code>
    </p>
    <ol class="dead-letters">
      ${page.items.map(
        (item) => html`<li key=${item.id} data-dead-letter=${item.id}>
          <span class="dead-letter__reason">${item.reason}</span>
          <span class="cell-note">
            ${t("first at {time}", { time: clockOf(item.first_failed_at, now) })}${item.attempts > 1 ? `, ${t("tried {count} times", { count: item.attempts })}` : ""}
          </span>
        </li>`,
      )}
    </ol>
    ${page.total > page.items.length && html`<p class="muted">${t("and {count} more", { count: page.total - page.items.length })} (GET /api/v1/sources/${source.name}/failed).</p>`}
  </div>`;
}

function SourceSharing({ source }) {
  const [shared, setShared] = useState(source);
  return html`<${SharingControl}
    kind="source"
    item=${shared}
    adminOnly=${true}
    locked=${source.origin === "api" ? null : t("Declared in veille.toml or by the hub: the whole organisation sees it.")}
    save=${(sharing) => api.put(`/api/v1/sources/${encodeURIComponent(source.name)}/sharing`, sharing)}
    onSaved=${setShared}
  />`;
}

function SourceDetails({ source, now }) {
  const health = source.health;
  const counters = [
    [t("Kept"), health.posts_total],
    [t("Filtered out"), health.filtered_total],
    [t("Duplicates"), health.duplicates_total],
    [t("Malformed"), health.malformed_total],
    [t("Reconnects"), health.reconnects_total],
    [t("Rate limited"), health.rate_limited_total],
    [t("Could not be read"), source.failed],
  ];
  const config = Object.entries(source.config).filter(([key]) => !HUB_KEYS.has(key));
  return html`<div class="details">
    <section>
      <h3>${t("Counters")}</h3>
      <dl class="kv kv--counters">
        ${counters.map(([label, value]) => html`<div><dt>${label}</dt><dd>${formatNumber(value)}</dd></div>`)}
        <div><dt>${t("Silent for")}</dt><dd>${formatDuration(health.silent_for_s)}</dd></div>
        <div><dt>${t("Last post")}</dt><dd>${clockOf(health.last_post_at, now) || "—"}</dd></div>
        <div><dt>${t("Connected since")}</dt><dd>${clockOf(health.last_connected_at, now) || "—"}</dd></div>
        <div><dt>${t("Filter")}</dt><dd>${source.filter}</dd></div>
      </dl>
    </section>
    <section class="details__wide" data-section="sharing">
      <h3>${t("Sharing")}</h3>
      <${SourceSharing} source=${source} />
    </section>
    <section class="details__wide">
      <h3>${t("Could not be read")}</h3>
      <${DeadLetters} source=${source} now=${now} />
    </section>
    <section>
      <h3>${t("Configuration")} <span class="muted">${t("(secrets masked)")}</span></h3>
      <dl class="kv kv--config" data-config>
        ${config.map(
          ([key, value]) => html`<div>
            <dt>${key}</dt>
            <dd class=${value === "***" ? "secret" : ""}>${value === "***" ? "•••• hidden" : configText(value)}</dd>
          </div>`,
        )}
      </dl>
    </section>
  </div>`;
}

// ---------------------------------------------------------------------------------------------- form

function orderedFields(connector) {
  // Required first (what the form cannot go without), then the rest in declared order.
  return [...connector.fields.filter((field) => field.required), ...connector.fields.filter((field) => !field.required)];
}

function AddSourceDrawer({ connectors, onClose, onAdded }) {
  const types = connectors.items;
  const common = connectors.common_fields;
  const fieldsOf = (name) => {
    const found = types.find((item) => item.type === name);
    return found ? [...common, ...found.fields] : common;
  };
  // The inputs of a type before anything is typed: its fields' defaults (a new source is enabled).
  const freshValues = (name) =>
    Object.fromEntries(
      fieldsOf(name).map((field) => [field.name, initialValue(field.name === "enabled" ? { ...field, default: true } : field)]),
    );
  const [type, setType] = useState(types[0]?.type ?? "");
  const connector = types.find((item) => item.type === type);
  const fields = fieldsOf(type);
  const [values, setValues] = useState(() => freshValues(types[0]?.type ?? ""));
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [sending, setSending] = useState(false);
  const firstInput = useRef(null);
  const body = useRef(null);

  // After a refusal, bring the field it names (or the form's message) into view and focus.
  useEffect(() => {
    const named = Object.keys(errors).find((name) => errors[name]);
    if (named) document.getElementById(`field-${named}`)?.focus();
    else if (formError) body.current?.scrollTo({ top: 0 });
  }, [errors, formError]);

  // Reset in the same event as the type change, so nothing typed right after is lost; the name
  // is kept, nothing else carries over between platforms.
  const changeType = (name) => {
    setType(name);
    setValues((current) => ({ ...freshValues(name), name: current.name ?? "" }));
    setErrors({});
    setFormError(null);
  };

  useEffect(() => {
    firstInput.current?.focus();
    const onKey = (event) => {
      if (event.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const setValue = (name, value) => {
    setValues((current) => ({ ...current, [name]: value }));
    if (errors[name]) setErrors((current) => ({ ...current, [name]: undefined }));
  };

  const submit = async (event) => {
    event.preventDefault();
    const { table, errors: local } = tableFromForm(type, fields, values);
    setFormError(null);
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    setSending(true);
    try {
      const view = await api.post("/api/v1/sources", table);
      setValues({});
      onAdded(view);
    } catch (error) {
      const found = fieldError(error.detail ?? error.message, table.name ?? "", ["type", ...fields.map((field) => field.name)]);
      if (found.field) setErrors({ [found.field]: found.message });
      else setErrors({});
      if (!found.field) setFormError(found.message);
    } finally {
      setSending(false);
    }
  };

  const renderField = (field) =>
    html`<${Field}
      key=${`${type}/${field.name}`}
      field=${field}
      value=${values[field.name]}
      error=${errors[field.name]}
      defaultEndpoint=${connector?.default_endpoint}
      onInput=${(value) => setValue(field.name, value)}
    />`;
  const byName = Object.fromEntries(common.map((field) => [field.name, field]));

  return html`<div class="drawer-backdrop" onClick=${(event) => event.target === event.currentTarget && onClose()}>
    <aside class="drawer" role="dialog" aria-modal="true" aria-labelledby="add-title">
      <form class="drawer__form" onSubmit=${submit} novalidate data-form="add-source">
        <header class="drawer__head">
          <div>
            <h2 id="add-title">${t("Add a source")}</h2>
            <p class="muted">${t("It starts at once and is kept across restarts.")}</p>
          </div>
          <button type="button" class="btn btn--ghost btn--icon" aria-label=${t("Close")} onClick=${onClose}>×</button>
        </header>
        <div class="drawer__body" ref=${body}>
          ${formError && html`<p class="banner banner--bad" role="alert" data-form-error>${formError}</p>`}
          <div class=${`field${errors.type ? " field--invalid" : ""}`} data-field="type">
            <label for="field-type">${t("Platform")}</label>
            <select id="field-type" ref=${firstInput} value=${type} onChange=${(event) => changeType(event.currentTarget.value)}>
              ${types.map((item) => html`<option value=${item.type}>${item.title}</option>`)}
            </select>
            ${connector && html`<p class="field__help">${connector.description}</p>`}
            ${errors.type && html`<p class="field__error" role="alert">${errors.type}</p>`}
          </div>
          ${renderField(byName.name)}
          ${connector &&
          html`<fieldset class="group">
            <legend>${connector.title} settings</legend>
            ${orderedFields(connector).map(renderField)}
          </fieldset>`}
          <fieldset class="group">
            <legend>${t("Hub")}</legend>
            ${["endpoint", "query", "silent_after_s", "enabled"].filter((name) => byName[name]).map((name) => renderField(byName[name]))}
          </fieldset>
        </div>
        <footer class="drawer__foot">
          <button type="button" class="btn btn--ghost" onClick=${onClose}>${t("Cancel")}</button>
          <button type="submit" class="btn btn--primary" disabled=${sending} data-action="submit-add">
            ${sending ? t("Adding…") : t("Add and start")}
          </button>
        </footer>
      </form>
    </aside>
  </div>`;
}

function Field({ field, value, error, defaultEndpoint, onInput }) {
  const id = `field-${field.name}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [field.help || field.secret || field.env ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: field.name,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy,
    "aria-required": field.required ? "true" : undefined,
  };
  let control;
  if (field.type === "bool") {
    control = html`<label class="check">
      <input type="checkbox" ...${common} checked=${!!value} onChange=${(event) => onInput(event.currentTarget.checked)} />
      <span>${field.help || field.name}</span>
    </label>`;
  } else if (field.choices && field.choices.length) {
    control = html`<select ...${common} value=${value ?? ""} onChange=${(event) => onInput(event.currentTarget.value)}>
      ${field.choices.map((choice) => html`<option value=${choice}>${choice}</option>`)}
    </select>`;
  } else if (field.type.startsWith("dict") || field.name === "query") {
    control = html`<textarea
      ...${common}
      rows=${field.name === "query" ? 2 : 3}
      spellcheck="false"
      placeholder=${field.type.startsWith("dict") ? placeholderOf(field) || "name = value, one a line" : ""}
      value=${value ?? ""}
      onInput=${(event) => onInput(event.currentTarget.value)}
    ></textarea>`;
  } else {
    const numeric = field.type === "int" || field.type === "float";
    control = html`<input
      type=${field.secret ? "password" : "text"}
      ...${common}
      inputmode=${numeric ? (field.type === "int" ? "numeric" : "decimal") : undefined}
      autocomplete=${field.secret ? "new-password" : "off"}
      spellcheck="false"
      placeholder=${placeholderOf(field, defaultEndpoint)}
      value=${value ?? ""}
      onInput=${(event) => onInput(event.currentTarget.value)}
    />`;
  }
  const kind = field.type.startsWith("list") ? "comma-separated" : field.type.startsWith("dict") ? "name = value lines" : null;
  return html`<div class=${`field${error ? " field--invalid" : ""}${field.type === "bool" ? " field--check" : ""}`} data-field=${field.name}>
    ${field.type !== "bool" &&
    html`<label for=${id}>
      <span class="field__name">${field.name}</span>
      ${field.required && html`<span class="field__required">${t("required")}</span>`}
      ${field.secret && html`<span class="field__secret">${t("secret")}</span>`}
      ${kind && html`<span class="field__kind">${kind}</span>`}
    </label>`}
    ${control}
    ${error && html`<p class="field__error" id=${errorId} role="alert">${error}</p>`}
    ${(field.type !== "bool" && field.help) || field.secret
      ? html`<p class="field__help" id=${helpId}>
          ${field.type !== "bool" ? field.help : ""}
          ${field.secret
            ? html`${field.help ? " " : ""}${t("Never shown again once saved. Environment variables apply only to sources declared in veille.toml.")}`
            : ""}
        </p>`
      : null}
  </div>`;
}

render(html`<${SourcesPage} />`, document.getElementById("sources"));

// Admin page /admin/audit: the audit log (who, when, what, before and after), filtered by kind of
// object and actor, exported as CSV with the same filters.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber } from "veille/format.js";
import { t, tn } from "veille/i18n.js";
import { ErrorBanner, Field, mount } from "../sharing/common.js";

const KINDS = ["topic", "dashboard", "wall", "alert_rule", "source", "account", "account_request", "team", "user", "token", "session"];

function shown(value) {
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

function Audit() {
  const [kind, setKind] = useState("");
  const [actor, setActor] = useState("");
  const [entries, setEntries] = useState(null);
  const [error, setError] = useState(null);
  const query = {};
  if (kind) query.kind = kind;
  if (actor.trim()) query.actor = actor.trim();
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.get("/api/v1/audit", { query: { ...query, limit: 500 }, signal: controller.signal }).then(
        (answer) => {
          setEntries(answer.items);
          setError(null);
        },
        (caught) => caught.name !== "AbortError" && setError(caught),
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [kind, actor]);
  const exportUrl = `/api/v1/audit?${new URLSearchParams({ ...query, format: "csv", limit: 10000 })}`;
  return html`<section class="admin-audit">
    <form class="inline-form" onSubmit=${(event) => event.preventDefault()}>
      <${Field} label=${t("Kind of object")} name="kind"><select name="kind" value=${kind} onChange=${(event) => setKind(event.currentTarget.value)}>
        <option value="">${t("Every kind")}</option>
        ${KINDS.map((value) => html`<option value=${value}>${value}</option>`)}
      </select><//>
      <${Field} label=${t("Who")} name="actor"><input name="actor" value=${actor} onInput=${(event) => setActor(event.currentTarget.value)} /><//>
      <a class="btn" href=${exportUrl} download="audit.csv" data-action="export">${t("Export CSV")}</a>
    </form>
    <${ErrorBanner} error=${error} />
    ${entries === null
      ? html`<p class="muted" role="status">${t("Loading…")}</p>`
      : html`<p class="muted" data-count=${entries.length}>${tn("{n} entry", "{n} entries", entries.length, { n: formatNumber(entries.length) })}</p>
        <table class="desk-table audit-table">
          <thead><tr><th>${t("When")}</th><th>${t("Who")}</th><th>${t("Action")}</th><th>${t("Object")}</th><th>${t("Before")}</th><th>${t("After")}</th></tr></thead>
          <tbody>${entries.map((entry) => html`<tr data-kind=${entry.object_kind} data-action=${entry.action}>
            <td>${formatDateTime(entry.at)}</td>
            <td>${entry.actor}</td>
            <td>${entry.action}</td>
            <td>${entry.object_kind} <code>${entry.object_id}</code></td>
            <td>${entry.before == null ? null : html`<code class="audit-table__json">${shown(entry.before)}</code>`}</td>
            <td>${entry.after == null ? null : html`<code class="audit-table__json">${shown(entry.after)}</code>`}</td>
          </tr>`)}</tbody>
        </table>`}
  </section>`;
}

render(html`<${Audit} />`, mount());

// The scheduled reports page (/reports): each report the caller sees (its schedule, next run, last
// runs and every delivery's attempts), with "send now", pause/resume and delete for analysts, and
// the form that schedules a dashboard as a PDF every day or week through Apprise.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, pageTimeZone } from "veille/format.js";
import { currentLanguage, t, tn } from "veille/i18n.js";

const ROOT = document.getElementById("reports");
const CAN_EDIT = ROOT.dataset.canEdit === "true";
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

function weekdayWord(day) {
  return {
    monday: t("Monday"),
    tuesday: t("Tuesday"),
    wednesday: t("Wednesday"),
    thursday: t("Thursday"),
    friday: t("Friday"),
    saturday: t("Saturday"),
    sunday: t("Sunday"),
  }[day] || day;
}

function scheduleWords(report) {
  if (report.schedule === "weekly") {
    return t("Every {day} at {at} ({zone})", { day: weekdayWord(report.weekday), at: report.at, zone: report.timezone });
  }
  return t("Every day at {at} ({zone})", { at: report.at, zone: report.timezone });
}

function runWord(run) {
  return { printing: t("Printing…"), printed: t("Printed"), failed: t("Not printed") }[run.status] || run.status;
}

function deliveryWord(delivery) {
  return { pending: t("Pending"), delivered: t("Delivered"), failed: t("Failed") }[delivery.status] || delivery.status;
}

function triggerWord(trigger) {
  return { schedule: t("scheduled"), missed: t("missed while stopped"), manual: t("sent by hand") }[trigger] || trigger;
}

function Run({ reportId, run }) {
  return html`<div class="report-run" data-run-id=${run.id} data-status=${run.status}>
    <p class="report-run__head">
      <span class=${`report-run__status report-run__status--${run.status}`}>${runWord(run)}</span>
      <span>${formatDateTime(run.started_at)}</span>
      <span class="report-run__trigger">${triggerWord(run.trigger)}</span>
      ${run.pdf_bytes ? html`<a href=${`/api/v1/reports/${reportId}/runs/${run.id}/pdf`} download>${t("PDF")}</a>` : null}
    </p>
    ${run.error ? html`<p class="report-run__error" role="status">${run.error}</p>` : null}
    ${run.deliveries.length
      ? html`<ul class="report-deliveries">
          ${run.deliveries.map(
            (delivery) => html`<li key=${delivery.id} data-delivery-id=${delivery.id} data-status=${delivery.status}>
              <code>${delivery.target}</code>
              <span class=${`report-delivery report-delivery--${delivery.status}`}>${deliveryWord(delivery)}</span>
              <span class="report-run__trigger">${tn("{n} attempt", "{n} attempts", delivery.attempts, { n: delivery.attempts })}</span>
              ${delivery.last_error ? html`<span class="report-run__error">${delivery.last_error}</span>` : null}
            </li>`,
          )}
        </ul>`
      : null}
  </div>`;
}

function ReportCard({ report, dashboards, onChange }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [runs, setRuns] = useState(report.runs);
  useEffect(() => setRuns(report.runs), [report]);
  const act = (work) => async () => {
    setBusy(true);
    setError(null);
    try {
      await work();
      onChange();
    } catch (caught) {
      setError(caught.message);
    } finally {
      setBusy(false);
    }
  };
  const spec = () => {
    const { id, owner, next_run, last_run, created_at, updated_at, runs: _runs, ...fields } = report;
    return fields;
  };
  const sendNow = act(async () => {
    const answer = await api.post(`/api/v1/reports/${report.id}/run`, {});
    setRuns(answer.runs);
  });
  const toggle = act(() => api.put(`/api/v1/reports/${report.id}`, { ...spec(), enabled: !report.enabled }));
  const remove = act(async () => {
    if (window.confirm(t("Delete the report “{name}”?", { name: report.name }))) await api.delete(`/api/v1/reports/${report.id}`);
  });
  const dashboard = dashboards.get(report.dashboard_id);
  return html`<li class="report-card" data-report-id=${report.id} data-enabled=${report.enabled ? "true" : "false"}>
    <div class="report-card__head">
      <h2>${report.name}</h2>
      <span class="report-card__state">${report.enabled ? t("Active") : t("Paused")}</span>
    </div>
    <p class="report-card__meta">
      ${t("Dashboard:")}${" "}${dashboard ? html`<a href=${`/dashboards/${report.dashboard_id}`}>${dashboard.name}</a>` : `#${report.dashboard_id}`}${" · "}${scheduleWords(report)}${" · "}${report.language === "fr" ? t("French") : t("English")}${" · "}${t("Owner: {name}", { name: report.owner })}
    </p>
    <p class="report-card__meta">
      ${report.next_run ? t("Next run {when}", { when: formatDateTime(report.next_run) }) : t("No next run: paused")}${" · "}${report.notify.length ? tn("{n} recipient", "{n} recipients", report.notify.length, { n: report.notify.length }) : t("No recipient: the PDF is only kept here")}
    </p>
    ${runs.length ? runs.map((run) => html`<${Run} key=${run.id} reportId=${report.id} run=${run} />`) : html`<p class="report-card__meta">${t("Not run yet.")}</p>`}
    ${CAN_EDIT
      ? html`<div class="report-card__actions">
          <button type="button" class="btn btn--small" data-action="run" disabled=${busy} onClick=${sendNow}>${busy ? t("Printing…") : t("Send now")}</button>
          <button type="button" class="btn btn--small btn--ghost" data-action="toggle" disabled=${busy} onClick=${toggle}>${report.enabled ? t("Pause") : t("Resume")}</button>
          <button type="button" class="btn btn--small btn--ghost" data-action="delete" disabled=${busy} onClick=${remove}>${t("Delete")}</button>
          ${error ? html`<span class="report-card__error" role="alert">${error}</span>` : null}
        </div>`
      : null}
  </li>`;
}

function emptyForm(dashboards) {
  const first = dashboards.values().next().value;
  return {
    name: "",
    dashboard_id: first ? String(first.id) : "",
    schedule: "daily",
    at: "08:00",
    weekday: "monday",
    timezone: pageTimeZone() || "UTC",
    language: currentLanguage() === "fr" ? "fr" : "en",
    notify: "",
    enabled: true,
  };
}

function ScheduleForm({ dashboards, onCreated }) {
  const [form, setForm] = useState(() => emptyForm(dashboards));
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (!form.dashboard_id && dashboards.size) setForm(emptyForm(dashboards));
  }, [dashboards]);
  const set = (name) => (event) => {
    const value = event.currentTarget.type === "checkbox" ? event.currentTarget.checked : event.currentTarget.value;
    setForm((current) => ({ ...current, [name]: value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    const body = {
      ...form,
      dashboard_id: Number(form.dashboard_id),
      weekday: form.schedule === "weekly" ? form.weekday : null,
      notify: form.notify.split("\n").map((line) => line.trim()).filter(Boolean),
    };
    try {
      await api.post("/api/v1/reports", body);
      setForm(emptyForm(dashboards));
      onCreated();
    } catch (caught) {
      setError({ field: caught.field || null, message: caught.message });
    } finally {
      setSaving(false);
    }
  };
  const invalid = (name) => (error && error.field === name ? "field field--invalid" : "field");
  return html`<form class="report-form" data-form="report" onSubmit=${submit}>
    <h2>${t("Schedule a report")}</h2>
    <div class="report-form__grid">
      <div class=${invalid("name")}><label for="report-name">${t("Name")}</label>
        <input id="report-name" type="text" required maxlength="200" value=${form.name} onInput=${set("name")} /></div>
      <div class=${invalid("dashboard_id")}><label for="report-dashboard">${t("Dashboard")}</label>
        <select id="report-dashboard" value=${form.dashboard_id} onChange=${set("dashboard_id")}>
          ${[...dashboards.values()].map((dashboard) => html`<option key=${dashboard.id} value=${String(dashboard.id)}>${dashboard.name}</option>`)}
        </select></div>
      <div class=${invalid("schedule")}><label for="report-schedule">${t("Frequency")}</label>
        <select id="report-schedule" value=${form.schedule} onChange=${set("schedule")}>
          <option value="daily">${t("Every day")}</option>
          <option value="weekly">${t("Every week")}</option>
        </select></div>
      ${form.schedule === "weekly"
        ? html`<div class=${invalid("weekday")}><label for="report-weekday">${t("Day")}</label>
            <select id="report-weekday" value=${form.weekday} onChange=${set("weekday")}>
              ${WEEKDAYS.map((day) => html`<option key=${day} value=${day}>${weekdayWord(day)}</option>`)}
            </select></div>`
        : null}
      <div class=${invalid("at")}><label for="report-at">${t("Time")}</label>
        <input id="report-at" type="text" inputmode="numeric" pattern="[0-2][0-9]:[0-5][0-9]" placeholder="08:00" value=${form.at} onInput=${set("at")} /></div>
      <div class=${invalid("timezone")}><label for="report-timezone">${t("Time zone")}</label>
        <input id="report-timezone" type="text" placeholder="Europe/Paris" value=${form.timezone} onInput=${set("timezone")} /></div>
      <div class=${invalid("language")}><label for="report-language">${t("Language of the report")}</label>
        <select id="report-language" value=${form.language} onChange=${set("language")}>
          <option value="en">${t("English")}</option>
          <option value="fr">${t("French")}</option>
        </select></div>
    </div>
    <div class=${invalid("notify")}><label for="report-notify">${t("Send to (Apprise URLs, one a line)")}</label>
      <textarea id="report-notify" rows="3" placeholder="mailtos://user:password@mail.example.org?to=crisis@example.org" value=${form.notify} onInput=${set("notify")}></textarea>
      <p class="field__help">${t("E-mail gets the PDF attached; json:// webhooks get it base64-encoded; every message links to the PDF.")}</p></div>
    <label class="check"><input type="checkbox" checked=${form.enabled} onChange=${set("enabled")} /> ${t("Active")}</label>
    ${error ? html`<p class="field__error" role="alert" data-field=${error.field || ""}>${error.message}</p>` : null}
    <button type="submit" class="btn" disabled=${saving || !dashboards.size}>${t("Schedule")}</button>
    ${dashboards.size ? null : html`<p class="field__help">${t("Create a dashboard first: a report prints a dashboard.")}</p>`}
  </form>`;
}

function ReportsPage() {
  const [answer, setAnswer] = useState({ state: "loading", items: [] });
  const [dashboards, setDashboards] = useState(new Map());
  const load = useCallback(async () => {
    try {
      const [reports, boards] = await Promise.all([api.get("/api/v1/reports"), api.get("/api/v1/dashboards")]);
      setDashboards(new Map(boards.items.map((board) => [board.id, board])));
      setAnswer({ state: reports.items.length ? "ready" : "empty", items: reports.items });
    } catch (error) {
      setAnswer({ state: "error", items: [], error: error.message });
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  return html`<section class="reports-page" data-screen="reports" data-state=${answer.state}>
    <header class="reports-page__head">
      <h1>${t("Scheduled reports")}</h1>
      <p class="report-card__meta">${t("A dashboard printed as PDF every day or week, as its owner sees it, and sent where people are.")}</p>
    </header>
    ${answer.state === "loading" ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
    ${answer.state === "empty" ? html`<p class="admin-empty">${t("No scheduled report yet.")}</p>` : null}
    ${answer.state === "error" ? html`<p class="admin-empty" role="alert">${answer.error}</p>` : null}
    <ol class="reports-list">${answer.items.map((report) => html`<${ReportCard} key=${report.id} report=${report} dashboards=${dashboards} onChange=${load} />`)}</ol>
    ${CAN_EDIT ? html`<${ScheduleForm} dashboards=${dashboards} onCreated=${load} />` : null}
  </section>`;
}

render(html`<${ReportsPage} />`, ROOT);

// The crisis room (/crisis/{alert_id}): the alert and its life, a live timeline of the topic's posts,
// volume and sentiment minute by minute, top amplifiers, top links and countries, the rule's playbook
// as a checklist whose ticks go into the timeline, a notes log and the one-click report.
// Everything follows the live stream: the figures are read again as posts arrive.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber, formatTime, webAddress } from "veille/format.js";
import { t } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { followPosts } from "veille/widgets/live_posts.js";
import { LifecycleButtons, severityWord, statusWord } from "./common.js";

const root = document.getElementById("crisis");
const ALERT_ID = Number(root.dataset.alertId);
const HOUR_MS = 3_600_000;

function actionWord(action) {
  const words = {
    opened: () => t("opened"),
    escalated: () => t("escalated"),
    reminder: () => t("still going on"),
    ended: () => t("signal over"),
    notified: () => t("notified"),
    acknowledged: () => t("acknowledged"),
    assigned: () => t("assigned"),
    note: () => t("note"),
    playbook: () => t("playbook step done"),
    playbook_undone: () => t("playbook step undone"),
    resolved: () => t("resolved"),
    false_positive: () => t("false positive"),
  };
  return (words[action] || (() => action))();
}

/** The range the room shows: from an hour before the alert to now, minute by minute (at most 2 h). */
function roomRange(alert, now) {
  const from = Math.max(Date.parse(alert.opened_at) - HOUR_MS, now - 2 * HOUR_MS + 60_000);
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString(), interval: "minute", live: true };
}

function Playbook({ alert, onChange }) {
  if (!alert.playbook.length) return html`<p class="crisis__empty">${t("This rule has no playbook.")}</p>`;
  const tick = async (step, done) => onChange(await api.post(`/api/v1/alerts/${alert.id}/playbook`, { step, done }));
  return html`<ul class="crisis-playbook">
    ${alert.playbook.map(
      (step, index) => html`<li key=${index}>
        <label><input type="checkbox" data-step=${index} checked=${alert.checked.includes(index)} onChange=${(event) => tick(index, event.currentTarget.checked)} /> <span dir="auto">${step}</span></label>
      </li>`,
    )}
  </ul>`;
}

function Notes({ alert, onChange }) {
  const [text, setText] = useState("");
  const notes = alert.timeline.filter((event) => event.action === "note");
  const send = async (event) => {
    event.preventDefault();
    if (!text.trim()) return;
    onChange(await api.post(`/api/v1/alerts/${alert.id}/notes`, { text: text.trim() }));
    setText("");
  };
  return html`<div class="crisis-notes">
    <ol class="crisis-notes__log">
      ${notes.map((note, index) => html`<li key=${index}><span class="crisis__when">${formatTime(note.at)}</span> <strong>${note.who}</strong> <span dir="auto">${note.text}</span></li>`)}
    </ol>
    <form class="crisis-notes__form" onSubmit=${send}>
      <input type="text" name="note" aria-label=${t("A note for the team")} placeholder=${t("A note for the team")} value=${text} onInput=${(event) => setText(event.currentTarget.value)} />
      <button type="submit" class="btn btn--small">${t("Add the note")}</button>
    </form>
  </div>`;
}

function Timeline({ alert }) {
  return html`<ol class="crisis-timeline">
    ${[...alert.timeline].reverse().map(
      (event, index) => html`<li key=${index} data-action=${event.action}>
        <span class="crisis__when">${formatDateTime(event.at)}</span>
        <strong>${event.who}</strong> ${actionWord(event.action)}${event.text ? html` — <span dir="auto">${event.text}</span>` : null}
      </li>`,
    )}
  </ol>`;
}

function TopLinks({ filters, range, version }) {
  const [links, setLinks] = useState(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get("/api/v1/analytics/top-links", { query: { from: range.from, to: range.to, topic: filters.topics, limit: 8 }, signal: controller.signal })
      .then((answer) => setLinks(answer.items || answer.rows || []))
      .catch(() => setLinks([]));
    return () => controller.abort();
  }, [version]);
  if (links === null) return html`<p class="crisis__empty">${t("Loading…")}</p>`;
  if (!links.length) return html`<p class="crisis__empty">${t("No link shared yet.")}</p>`;
  return html`<ol class="crisis-links">
    ${links.map((item, index) => {
      const text = item.link || item.key;
      // Only a web address is a link: a post may carry any string as a link (javascript:…).
      const address = webAddress(text);
      return html`<li key=${index}>${address ? html`<a href=${address} rel="noopener noreferrer" target="_blank">${text}</a>` : html`<span dir="auto">${text}</span>`} <span>${formatNumber(item.posts ?? item.count ?? 0)}</span></li>`;
    })}
  </ol>`;
}

function CrisisRoom() {
  const [alert, setAlert] = useState(null);
  const [error, setError] = useState(null);
  const [now, setNow] = useState(Date.now());
  const load = useCallback(async () => {
    try {
      setAlert(await api.get(`/api/v1/alerts/${ALERT_ID}`));
      setNow(Date.now());
    } catch (caught) {
      setError(caught.message);
    }
  }, []);
  useEffect(() => {
    load();
    let timer = null;
    const stop = followPosts(() => {
      if (timer === null) timer = setTimeout(() => ((timer = null), load()), 10_000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [load]);
  if (error) return html`<p class="admin-empty" role="alert">${error}</p>`;
  if (!alert) return html`<p class="admin-empty" data-screen="crisis" data-state="loading">${t("Loading…")}</p>`;
  const filters = { range: "24h", topics: alert.topic ? [alert.topic] : [] };
  const range = roomRange(alert, now);
  return html`<div class="crisis" data-screen="crisis" data-state="ready" data-alert-id=${alert.id}>
    <header class=${`crisis__head crisis__head--${alert.severity}`}>
      <div>
        <p class="crisis__eyebrow">${t("Crisis room")} · <span class="crisis__severity">${severityWord(alert.severity)}</span> · ${statusWord(alert.status)}${alert.assignee ? html` · ${t("Assigned to {name}", { name: alert.assignee })}` : null}</p>
        <h1>${alert.rule}</h1>
        <p class="crisis__summary" dir="auto">${alert.summary}</p>
        <p class="crisis__meta">${t("Opened {when}", { when: formatDateTime(alert.opened_at) })} · ${t("Updated {when}", { when: formatDateTime(alert.updated_at) })} · ${t("{n} posts", { n: formatNumber(alert.posts) })}</p>
      </div>
      <div class="crisis__tools">
        <${LifecycleButtons} alert=${alert} onChange=${setAlert} />
        <p class="crisis__report">${t("Report")}: <a href=${`/api/v1/alerts/${alert.id}/report?format=html`} target="_blank">HTML</a> · <a href=${`/api/v1/alerts/${alert.id}/report?format=pdf`}>PDF</a></p>
      </div>
    </header>
    <div class="crisis__grid">
      <div class="crisis__cell crisis__cell--wide"><${Widget} type="volume" title=${t("Volume per minute")} filters=${filters} range=${range} options=${{ chart: "bar" }} /></div>
      <div class="crisis__cell"><${Widget} type="sentiment" title=${t("Sentiment per minute")} filters=${filters} range=${range} options=${{ view: "series" }} /></div>
      <div class="crisis__cell crisis__cell--tall"><${Widget} type="feed" title=${t("Live timeline")} filters=${filters} options=${{ limit: 20 }} /></div>
      <div class="crisis__cell"><${Widget} type="influencers" title=${t("Top amplifiers")} filters=${filters} range=${range} options=${{ limit: 5 }} /></div>
      <div class="crisis__cell"><${Widget} type="map" title=${t("Countries")} filters=${filters} range=${range} options=${{ measure: "posts" }} /></div>
      <section class="crisis__panel" data-panel="links"><h2>${t("Top links")}</h2><${TopLinks} filters=${filters} range=${range} version=${now} /></section>
      <section class="crisis__panel" data-panel="playbook"><h2>${t("Playbook")}</h2><${Playbook} alert=${alert} onChange=${setAlert} /></section>
      <section class="crisis__panel" data-panel="notes"><h2>${t("Notes")}</h2><${Notes} alert=${alert} onChange=${setAlert} /></section>
      <section class="crisis__panel crisis__panel--wide" data-panel="timeline"><h2>${t("Timeline")}</h2><${Timeline} alert=${alert} /></section>
    </div>
  </div>`;
}

render(html`<${CrisisRoom} />`, root);

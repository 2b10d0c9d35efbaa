// The crisis room of a topic (/crisis/topic/{topic}): the same live widgets as an alert's room
// (volume and sentiment minute by minute, the live timeline of the topic's posts, top amplifiers,
// countries, top links) over the topic rather than one alert, with the topic's open and
// acknowledged alerts — each with its lifecycle buttons, its playbook and its notes — their merged
// timeline, and the topic's one-click report. Everything follows the live stream.
import { html, render } from "htm/preact";
import { useCallback, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime } from "veille/format.js";
import { t, tn } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { LifecycleButtons, severityWord, statusWord } from "./common.js";
import { Notes, Playbook, Timeline, TopLinks, roomRange, useReloadOnPosts } from "./room.js";

const root = document.getElementById("crisis");
const TOPIC = root.dataset.topic;
const ACTIVE = new Set(["open", "acknowledged"]);

function TopicAlert({ alert, onChange }) {
  return html`<li class=${`alert-row alert-row--${alert.severity}`} data-alert-id=${alert.id} data-status=${alert.status} data-severity=${alert.severity}>
    <div class="alert-row__head">
      <span class="alert-row__severity">${severityWord(alert.severity)}</span>
      <a class="alert-row__rule" href=${`/crisis/${alert.id}`}>${alert.rule}</a>
      <span class="alert-row__status">${statusWord(alert.status)}</span>
    </div>
    <p class="alert-row__summary" dir="auto">${alert.summary}</p>
    <p class="alert-row__meta">${t("Opened {when}", { when: formatDateTime(alert.opened_at) })}</p>
    <${LifecycleButtons} alert=${alert} onChange=${onChange} />
    <div class="crisis__split">
      <section data-panel="playbook"><h3>${t("Playbook")}</h3><${Playbook} alert=${alert} onChange=${onChange} /></section>
      <section data-panel="notes"><h3>${t("Notes")}</h3><${Notes} alert=${alert} onChange=${onChange} /></section>
    </div>
  </li>`;
}

function TopicRoom() {
  const [alerts, setAlerts] = useState(null);
  const [error, setError] = useState(null);
  const [now, setNow] = useState(Date.now());
  const load = useCallback(async () => {
    try {
      const page = await api.get("/api/v1/alerts", { query: { status: ["open", "acknowledged"] } });
      const mine = page.items.filter((item) => item.topic === TOPIC);
      setAlerts(await Promise.all(mine.map((item) => api.get(`/api/v1/alerts/${item.id}`))));
      setNow(Date.now());
    } catch (caught) {
      setError(caught.message);
    }
  }, []);
  useReloadOnPosts(load);
  const replace = (changed) => {
    setAlerts((current) => current.map((alert) => (alert.id === changed.id ? changed : alert)).filter((alert) => ACTIVE.has(alert.status)));
  };
  if (error) return html`<p class="admin-empty" role="alert">${error}</p>`;
  if (!alerts) return html`<p class="admin-empty" data-screen="crisis-topic" data-state="loading">${t("Loading…")}</p>`;
  const filters = { range: "24h", topics: [TOPIC] };
  const oldest = alerts.reduce((first, alert) => Math.min(first, Date.parse(alert.opened_at)), now);
  const range = roomRange(new Date(oldest).toISOString(), now);
  const worst = alerts.find((alert) => alert.severity === "critical") || alerts.find((alert) => alert.severity === "warning") || alerts[0];
  const merged = { timeline: alerts.flatMap((alert) => alert.timeline.map((event) => ({ ...event, text: event.text ? `${alert.rule} — ${event.text}` : alert.rule }))).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) };
  const report = `/api/v1/alerts/topic/${encodeURIComponent(TOPIC)}/report`;
  return html`<div class="crisis" data-screen="crisis-topic" data-state="ready" data-topic=${TOPIC} data-alerts=${alerts.length}>
    <header class=${`crisis__head crisis__head--${worst ? worst.severity : "info"}`}>
      <div>
        <p class="crisis__eyebrow">${t("Crisis room")} · ${t("Topic")}</p>
        <h1 dir="auto">${TOPIC}</h1>
        <p class="crisis__summary">${alerts.length ? tn("{n} alert open or acknowledged on this topic", "{n} alerts open or acknowledged on this topic", alerts.length) : t("No open alert on this topic: the room follows its posts.")}</p>
      </div>
      <div class="crisis__tools">
        <p class="crisis__report">${t("Report")}: <a href=${`${report}?format=html`} target="_blank">HTML</a> · <a href=${`${report}?format=pdf`}>PDF</a></p>
      </div>
    </header>
    <div class="crisis__grid">
      <div class="crisis__cell crisis__cell--wide"><${Widget} type="volume" title=${t("Volume per minute")} filters=${filters} range=${range} options=${{ chart: "bar" }} /></div>
      <div class="crisis__cell"><${Widget} type="sentiment" title=${t("Sentiment per minute")} filters=${filters} range=${range} options=${{ view: "series" }} /></div>
      <div class="crisis__cell crisis__cell--tall"><${Widget} type="feed" title=${t("Live timeline")} filters=${filters} options=${{ limit: 20 }} /></div>
      <div class="crisis__cell"><${Widget} type="influencers" title=${t("Top amplifiers")} filters=${filters} range=${range} options=${{ limit: 5 }} /></div>
      <div class="crisis__cell"><${Widget} type="map" title=${t("Countries")} filters=${filters} range=${range} options=${{ measure: "posts" }} /></div>
      <section class="crisis__panel" data-panel="links"><h2>${t("Top links")}</h2><${TopLinks} filters=${filters} range=${range} version=${now} /></section>
      <section class="crisis__panel crisis__panel--wide" data-panel="alerts"><h2>${t("Alerts")}</h2>
        ${alerts.length ? html`<ol class="alerts-list">${alerts.map((alert) => html`<${TopicAlert} key=${alert.id} alert=${alert} onChange=${replace} />`)}</ol>` : html`<p class="crisis__empty">${t("No open alert on this topic.")}</p>`}
      </section>
      <section class="crisis__panel crisis__panel--wide" data-panel="timeline"><h2>${t("Timeline")}</h2><${Timeline} alert=${merged} /></section>
    </div>
  </div>`;
}

render(html`<${TopicRoom} />`, root);

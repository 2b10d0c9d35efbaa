// The crisis room (/crisis/{alert_id}): the alert and its life, a live timeline of the topic's posts,
// volume and sentiment minute by minute, top amplifiers, top links and countries, the rule's playbook
// as a checklist whose ticks go into the timeline, a notes log and the one-click report.
// Everything follows the live stream: the figures are read again as posts arrive.
import { html, render } from "htm/preact";
import { useCallback, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { LifecycleButtons, severityWord, statusWord } from "./common.js";
import { Notes, Playbook, Timeline, TopLinks, roomRange, useReloadOnPosts } from "./room.js";

const root = document.getElementById("crisis");
const ALERT_ID = Number(root.dataset.alertId);

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
  useReloadOnPosts(load);
  if (error) return html`<p class="admin-empty" role="alert">${error}</p>`;
  if (!alert) return html`<p class="admin-empty" data-screen="crisis" data-state="loading">${t("Loading…")}</p>`;
  const filters = { range: "24h", topics: alert.topic ? [alert.topic] : [] };
  const range = roomRange(alert.opened_at, now);
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
        ${alert.topic ? html`<p class="crisis__report"><a href=${`/crisis/topic/${encodeURIComponent(alert.topic)}`} data-topic-room=${alert.topic}>${t("The topic's crisis room")}</a></p>` : null}
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

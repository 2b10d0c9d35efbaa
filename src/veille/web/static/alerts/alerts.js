// The alerts page (/alerts): every alert, filtered by status, newest first, with the lifecycle's
// buttons and a link to each crisis room. Read again as posts arrive (the live stream wakes it).
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { followPosts } from "veille/widgets/live_posts.js";
import { LifecycleButtons, severityWord, statusWord } from "./common.js";

const FILTERS = ["open", "acknowledged", "resolved", "false_positive", "all"];

function filterWord(value) {
  return value === "all" ? t("All") : statusWord(value);
}

function AlertRow({ alert, onChange }) {
  return html`<li class=${`alert-row alert-row--${alert.severity}`} data-alert-id=${alert.id} data-status=${alert.status} data-severity=${alert.severity}>
    <div class="alert-row__head">
      <span class="alert-row__severity">${severityWord(alert.severity)}</span>
      <a class="alert-row__rule" href=${`/crisis/${alert.id}`}>${alert.rule}</a>
      <span class="alert-row__status">${statusWord(alert.status)}</span>
    </div>
    <p class="alert-row__summary" dir="auto">${alert.summary}</p>
    <p class="alert-row__meta">
      ${t("Opened {when}", { when: formatDateTime(alert.opened_at) })} · ${t("{n} posts", { n: formatNumber(alert.posts) })}
      ${alert.topic ? html` · ${t("Topic")}: <a href=${`/crisis/topic/${encodeURIComponent(alert.topic)}`} data-topic-room=${alert.topic}>${alert.topic}</a>` : null}
    </p>
    <${LifecycleButtons} alert=${alert} onChange=${onChange} />
  </li>`;
}

function AlertsPage() {
  const [status, setStatus] = useState("open");
  const [answer, setAnswer] = useState({ state: "loading", items: [] });
  const load = useCallback(async () => {
    try {
      const query = status === "all" ? {} : { status };
      const page = await api.get("/api/v1/alerts", { query });
      setAnswer({ state: page.items.length ? "ready" : "empty", items: page.items });
    } catch (error) {
      setAnswer({ state: "error", items: [], error: error.message });
    }
  }, [status]);
  useEffect(() => {
    load();
    let timer = null;
    const stop = followPosts(() => {
      if (timer === null) timer = setTimeout(() => ((timer = null), load()), 5_000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [load]);
  return html`<section class="alerts-page" data-screen="alerts" data-state=${answer.state}>
    <header class="alerts-page__head">
      <h1>${t("Alerts")}</h1>
      <div class="alerts-page__filters" role="group" aria-label=${t("Status")}>
        ${FILTERS.map(
          (value) => html`<button type="button" key=${value} class=${`chip${value === status ? " chip--on" : ""}`} aria-pressed=${value === status ? "true" : "false"} data-filter=${value} onClick=${() => setStatus(value)}>${filterWord(value)}</button>`,
        )}
      </div>
    </header>
    ${answer.state === "loading" ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
    ${answer.state === "empty" ? html`<p class="admin-empty">${t("No alert with this status.")}</p>` : null}
    ${answer.state === "error" ? html`<p class="admin-empty" role="alert">${answer.error}</p>` : null}
    <ol class="alerts-list">${answer.items.map((alert) => html`<${AlertRow} key=${alert.id} alert=${alert} onChange=${load} />`)}</ol>
  </section>`;
}

render(html`<${AlertsPage} />`, document.getElementById("alerts"));

// The alerts page (/alerts): every alert, filtered by status, newest first, with the lifecycle's
// buttons and a link to each crisis room. Read again as posts arrive (the live stream wakes it).
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { followPosts } from "veille/widgets/live_posts.js";
import { SharingControl } from "../sharing/common.js";
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

/** Change a rule's sharing only: the rest of the rule is sent back as it is stored. */
function shareRule(rule, sharing) {
  const { id, created_by, created_at, updated_at, ...spec } = rule;
  return api.put(`/api/v1/alerts/rules/${id}`, { ...spec, ...sharing });
}

function RuleRow({ rule: stored }) {
  const [rule, setRule] = useState(stored);
  return html`<li class="rule-row" data-rule-id=${rule.id} data-enabled=${rule.enabled ? "true" : "false"}>
    <div class="rule-row__head">
      <span class="rule-row__name" dir="auto">${rule.name}</span>
      <span class="rule-row__severity">${severityWord(rule.severity)}</span>
      ${rule.topic ? html`<span class="rule-row__topic">${t("Topic")}: ${rule.topic}</span>` : html`<code class="rule-row__query" dir="auto">${rule.query || ""}</code>`}
      ${rule.enabled ? null : html`<span class="muted">${t("Disabled")}</span>`}
    </div>
    <${SharingControl} kind="alert_rule" item=${rule} save=${(sharing) => shareRule(rule, sharing)} onSaved=${setRule} />
  </li>`;
}

/** The alert rules the reader may see, each with its owner team and visibility (docs/sharing.md);
 * a rule's alerts are seen only by who may see the rule. */
function Rules() {
  const [rules, setRules] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api.get("/api/v1/alerts/rules").then((answer) => setRules(answer.items || []), (failure) => setError(failure.message));
  }, []);
  return html`<section class="alert-rules" data-section="rules">
    <h2>${t("Alert rules")}</h2>
    ${error ? html`<p class="admin-empty" role="alert">${error}</p>` : null}
    ${rules === null && !error ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
    ${rules && rules.length === 0 ? html`<p class="admin-empty">${t("No alert rule shared with you.")}</p>` : null}
    ${rules && rules.length ? html`<ul class="rules-list">${rules.map((rule) => html`<${RuleRow} key=${rule.id} rule=${rule} />`)}</ul>` : null}
  </section>`;
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
    <${Rules} />
  </section>`;
}

render(html`<${AlertsPage} />`, document.getElementById("alerts"));

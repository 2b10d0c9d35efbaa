// alerts: a ticker of the hub's current alerts (open and acknowledged, newest first) for walls and
// dashboards. Each alert shows its severity, rule, summary and age, and links to its crisis room
// (unless ``drill`` is false, as on a public wall). Read again as posts arrive (the live stream
// wakes it; no timer polls the hub).
//
// DOM: the frame's data-widget="alerts"; each alert a <li data-alert-id data-severity data-status>.
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatAge, formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { useLive, useWidgetData, WidgetFrame } from "./frame.js";

export const definition = {
  type: "alerts",
  label: () => t("Alerts"),
  size: { w: 4, h: 4 },
  defaults: { limit: 8, statuses: ["open", "acknowledged"] },
  fields: [{ name: "limit", label: () => t("Alerts shown"), kind: "number", min: 1, max: 50 }],
};

const SEVERITY_WORDS = {
  info: () => t("info"),
  warning: () => t("warning"),
  critical: () => t("critical"),
};

export function statusWord(status) {
  const words = {
    open: () => t("open"),
    acknowledged: () => t("acknowledged"),
    resolved: () => t("resolved"),
    false_positive: () => t("false positive"),
  };
  return (words[status] || (() => status))();
}

export function severityWord(severity) {
  return (SEVERITY_WORDS[severity] || (() => severity))();
}

export function AlertsWidget({ title, filters, options, drill = true }) {
  const limit = Math.max(1, Math.min(50, Number((options && options.limit) || definition.defaults.limit)));
  const statuses = (options && options.statuses) || definition.defaults.statuses;
  const data = useWidgetData({
    filters,
    options: { limit, statuses },
    load: (_range, signal) => api.get("/api/v1/alerts", { query: { status: statuses, limit }, signal }),
    isEmpty: (answer) => !answer || !answer.items || answer.items.length === 0,
  });
  useLive({ filters: { ...(filters || {}), range: "24h" }, refresh: data.refresh, everyMs: 5_000 });
  const items = (data.data && data.data.items) || [];
  return html`<${WidgetFrame}
    type="alerts"
    title=${title || definition.label()}
    state=${data.status}
    error=${data.error}
    onRetry=${data.refresh}
    emptyText=${t("No alert: all quiet.")}
    live=${true}
  >
    <ol class="alerts-ticker">
      ${items.map(
        (alert) => html`<li
          key=${alert.id}
          class=${`alerts-ticker__item alerts-ticker__item--${alert.severity}`}
          data-alert-id=${alert.id}
          data-severity=${alert.severity}
          data-status=${alert.status}
        >
          <span class="alerts-ticker__severity">${severityWord(alert.severity)}</span>
          ${drill
            ? html`<a class="alerts-ticker__rule" href=${`/crisis/${alert.id}`}>${alert.rule}</a>`
            : html`<span class="alerts-ticker__rule">${alert.rule}</span>`}
          <span class="alerts-ticker__meta">${statusWord(alert.status)} · ${formatAge(alert.opened_at)} · ${t("{n} posts", { n: formatNumber(alert.posts) })}</span>
          <span class="alerts-ticker__summary" dir="auto">${alert.summary}</span>
        </li>`,
      )}
    </ol>
  </${WidgetFrame}>`;
}

definition.component = AlertsWidget;

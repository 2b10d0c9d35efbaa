// What the alerts page and the crisis room share: the lifecycle's buttons (acknowledge, resolve,
// false positive, assign) and the words of statuses and severities.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";

export { severityWord, statusWord } from "veille/widgets/alerts.js";

/** The buttons of an alert's next steps; ``onChange(alert)`` gets the alert as the hub answers. */
export function LifecycleButtons({ alert, onChange }) {
  const [error, setError] = useState(null);
  const closed = alert.status === "resolved" || alert.status === "false_positive";
  const act = (path, body) => async () => {
    setError(null);
    try {
      onChange(await api.post(`/api/v1/alerts/${alert.id}/${path}`, body || {}));
    } catch (caught) {
      setError(caught.message);
    }
  };
  const assign = async () => {
    const assignee = window.prompt(t("Assign to (a user name; empty: nobody)"), alert.assignee || "");
    if (assignee === null) return;
    await act("assign", { assignee: assignee.trim() || null })();
  };
  return html`<div class="alert-actions">
    ${alert.status === "open" ? html`<button type="button" class="btn btn--small" data-action="acknowledge" onClick=${act("acknowledge")}>${t("Acknowledge")}</button>` : null}
    ${closed
      ? null
      : html`<button type="button" class="btn btn--small" data-action="resolve" onClick=${act("resolve", { outcome: "resolved" })}>${t("Resolve")}</button>
          <button type="button" class="btn btn--small btn--ghost" data-action="false_positive" onClick=${act("resolve", { outcome: "false_positive" })}>${t("False positive")}</button>`}
    <button type="button" class="btn btn--small btn--ghost" data-action="assign" onClick=${assign}>${t("Assign")}</button>
    ${error ? html`<span class="alert-actions__error" role="alert">${error}</span>` : null}
  </div>`;
}

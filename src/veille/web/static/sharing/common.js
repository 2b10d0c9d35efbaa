// What the sharing, governance and admin pages share: the words for kinds, visibilities and
// statuses, and a form field. Every value from the API is rendered as text (htm escapes it).
import { html } from "htm/preact";
import { t } from "veille/i18n.js";

export function kindWord(kind) {
  return (
    {
      topic: t("Topic"),
      dashboard: t("Dashboard"),
      wall: t("Wall"),
      alert_rule: t("Alert rule"),
      source: t("Source"),
      account: t("Account"),
    }[kind] || kind
  );
}

export function visibilityWord(visibility) {
  return (
    { private: t("Private"), team: t("Team"), organisation: t("Organisation") }[visibility] || visibility
  );
}

export function statusWord(status) {
  return (
    {
      submitted: t("Submitted"),
      changes_requested: t("Changes requested"),
      approved: t("Approved"),
      rejected: t("Rejected"),
      registered: t("Registered"),
    }[status] || status
  );
}

export function Field({ label, name, children, hint }) {
  return html`<label class="form-field" data-field=${name}>
    <span class="form-field__label">${label}</span>
    ${children}
    ${hint ? html`<span class="form-field__hint">${hint}</span>` : null}
  </label>`;
}

export function ErrorBanner({ error }) {
  if (!error) return null;
  return html`<div class="banner banner--bad" role="alert" data-error-field=${error.field || ""}>${error.message}</div>`;
}

export function mount() {
  return document.getElementById("desk");
}

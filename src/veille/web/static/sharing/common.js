// What the sharing, governance and admin pages share: the words for kinds, visibilities and
// statuses, and a form field. Every value from the API is rendered as text (htm escapes it).
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
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

// --- sharing: one component for every shared object (topics, dashboards, walls, alert rules,
// sources, accounts), docs/sharing.md. The server decides (403 naming what is missing); the page
// only hides the control from who may not change, by the same rule as veille.sharing.policy.

let mePromise = null;

/** The caller (GET /api/v1/me), asked once per page. */
export function loadMe() {
  if (!mePromise) mePromise = api.get("/api/v1/me").catch(() => null);
  return mePromise;
}

export function useMe() {
  const [me, setMe] = useState(null);
  useEffect(() => {
    let live = true;
    loadMe().then((found) => live && setMe(found));
    return () => {
      live = false;
    };
  }, []);
  return me;
}

/** Whether ``me`` may change ``item``'s sharing: an admin always; an analyst when one of their
 * teams owns it (owned by no team: when they created it); a viewer never. Sources and accounts
 * (``adminOnly``) are the admins'. */
export function mayChangeSharing(me, item, { adminOnly = false } = {}) {
  if (!me || !item) return false;
  if (me.admin) return true;
  if (adminOnly || me.role !== "analyst") return false;
  if (!item.owner_team) return Boolean(item.created_by || item.owner) && (item.created_by || item.owner) === me.name;
  return (me.teams || []).includes(item.owner_team);
}

/** The words of a refused change: a 403 says what is missing, in the hub's words. */
export function sharingErrorText(error) {
  if (!error) return "";
  if (error.status === 403) return t("You may not change this: {reason}", { reason: error.message });
  if (error.status === 404) return t("Not found, or no longer shared with you.");
  return error.message || String(error);
}

/** The two fields: owner team (the writer's teams; an admin's, every team) and visibility. The
 * topic editor shows them in its form; SharingControl below in its own. */
export function SharingFields({ value, teams, onChange, prefix = "", emptyLabel = null }) {
  const names = [...new Set([...(teams || []), ...(value.owner_team ? [value.owner_team] : [])])];
  return html`<span class="sharing-fields">
    <label class="sharing-fields__field">${t("Owner team")}
      <select data-field=${`${prefix}owner_team`} name="owner_team" value=${value.owner_team || ""} onChange=${(event) => onChange({ ...value, owner_team: event.currentTarget.value })}>
        <option value="">${emptyLabel || t("no team")}</option>
        ${names.map((name) => html`<option value=${name}>${name}</option>`)}
      </select>
    </label>
    <label class="sharing-fields__field">${t("Visibility")}
      <select data-field=${`${prefix}visibility`} name="visibility" value=${value.visibility || "organisation"} onChange=${(event) => onChange({ ...value, visibility: event.currentTarget.value })}>
        <option value="organisation">${t("Organisation")}</option>
        <option value="team">${t("Team")}</option>
        <option value="private">${t("Private")}</option>
      </select>
    </label>
  </span>`;
}

/** The teams an owner team may be chosen among: the caller's, or every team for an admin. */
export function useTeamChoices(me) {
  const [teams, setTeams] = useState([]);
  useEffect(() => {
    if (!me) return;
    if (!me.admin) {
      setTeams(me.teams || []);
      return;
    }
    api.get("/api/v1/teams").then((answer) => setTeams((answer.items || []).map((team) => team.name)), () => setTeams([]));
  }, [me]);
  return teams;
}

/**
 * An object's owner team and visibility, as words, and for whoever may change them a control:
 * ``save({owner_team, visibility})`` returns the saved object (a promise); its refusal is shown
 * in words. ``kind`` names the object for tests and styles (``data-sharing``); ``locked``, a
 * sentence saying why nobody may change it here (a source of veille.toml).
 */
export function SharingControl({ kind, item, save, adminOnly = false, locked = null, onSaved }) {
  const me = useMe();
  const teams = useTeamChoices(me);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(null);
  const [state, setState] = useState({ kind: "idle" });
  const editable = !locked && mayChangeSharing(me, item, { adminOnly });
  const start = () => {
    setDraft({ owner_team: item.owner_team || "", visibility: item.visibility || "organisation" });
    setState({ kind: "idle" });
    setOpen(true);
  };
  const submit = async (event) => {
    event.preventDefault();
    event.stopPropagation();
    setState({ kind: "saving" });
    try {
      const saved = await save({ owner_team: draft.owner_team || null, visibility: draft.visibility });
      setOpen(false);
      setState({ kind: "saved" });
      if (onSaved) onSaved(saved);
    } catch (error) {
      setState({ kind: "error", message: sharingErrorText(error) });
    }
  };
  return html`<div class="sharing" data-sharing=${kind} data-owner-team=${item.owner_team || ""} data-visibility=${item.visibility || "organisation"} data-editable=${editable ? "true" : "false"} onClick=${(event) => event.stopPropagation()}>
    <span class="sharing__value"><span class="sharing__label">${t("Owner team")}</span> <b data-value="owner_team">${item.owner_team || t("no team")}</b></span>
    <span class="sharing__value"><span class="sharing__label">${t("Visibility")}</span> <b data-value="visibility" class=${`visibility visibility--${item.visibility || "organisation"}`}>${visibilityWord(item.visibility || "organisation")}</b></span>
    ${locked ? html`<span class="muted" data-locked="true">${locked}</span>` : null}
    ${editable && !open ? html`<button type="button" class="btn btn--small" data-action="share" onClick=${start}>${t("Change sharing")}</button>` : null}
    ${open
      ? html`<form class="sharing__form" data-form="sharing" onSubmit=${submit}>
          <${SharingFields} value=${draft} teams=${teams} onChange=${setDraft} />
          <button type="submit" class="btn btn--primary btn--small" data-action="save-sharing" disabled=${state.kind === "saving"}>${t("Save sharing")}</button>
          <button type="button" class="btn btn--ghost btn--small" data-action="cancel-sharing" onClick=${() => setOpen(false)}>${t("Cancel")}</button>
        </form>`
      : null}
    ${state.kind === "saved" ? html`<span class="muted" role="status" data-sharing-saved="true">${t("Sharing saved")}</span>` : null}
    ${state.kind === "error" ? html`<div class="banner banner--bad sharing__error" role="alert">${state.message}</div>` : null}
  </div>`;
}

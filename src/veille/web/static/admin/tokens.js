// Admin page /admin/tokens: API tokens with role, teams, owner and last use; create one (its
// secret is shown once, here), revoke one.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime } from "veille/format.js";
import { t } from "veille/i18n.js";
import { ErrorBanner, Field, mount } from "../sharing/common.js";

const ROLES = ["viewer", "analyst", "admin"];
const roleWord = (role) => ({ viewer: t("Viewer"), analyst: t("Analyst"), admin: t("Administrator") })[role] || role;

function Tokens() {
  const [tokens, setTokens] = useState(null);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const [draft, setDraft] = useState({ name: "", role: "viewer", teams: "" });
  const load = useCallback(() => api.get("/api/v1/tokens").then((answer) => setTokens(answer.items), setError), []);
  useEffect(() => {
    load();
  }, [load]);
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const create = async (event) => {
    event.preventDefault();
    try {
      const teams = draft.teams.split(",").map((part) => part.trim()).filter(Boolean);
      setCreated(await api.post("/api/v1/tokens", { name: draft.name, role: draft.role, teams }));
      setDraft({ name: "", role: "viewer", teams: "" });
      setError(null);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (token) => {
    if (!window.confirm(t("Revoke the token {name}? Whatever uses it stops at once.", { name: token.name }))) return;
    try {
      await api.delete(`/api/v1/tokens/${token.id}`);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  return html`<section class="admin-tokens">
    <${ErrorBanner} error=${error} />
    ${created
      ? html`<div class="banner banner--warning token-once" role="status">
          <p>${t("The token {name} is created. Copy it now: it is shown this once.", { name: created.name })}</p>
          <code class="token-once__secret" data-token>${created.token}</code>
          <button class="btn btn--small" type="button" onClick=${() => setCreated(null)}>${t("Done")}</button>
        </div>`
      : null}
    <form class="inline-form" data-form="create-token" onSubmit=${create}>
      <${Field} label=${t("Name")} name="name"><input name="name" required value=${draft.name} onInput=${set("name")} /><//>
      <${Field} label=${t("Role")} name="role"><select name="role" value=${draft.role} onChange=${set("role")}>${ROLES.map((role) => html`<option value=${role}>${roleWord(role)}</option>`)}</select><//>
      <${Field} label=${t("Teams")} name="teams" hint=${t("comma-separated")}><input name="teams" value=${draft.teams} onInput=${set("teams")} /><//>
      <button class="btn btn--primary" type="submit">${t("Create the token")}</button>
    </form>
    ${tokens === null
      ? html`<p class="muted" role="status">${t("Loading…")}</p>`
      : html`<table class="desk-table">
          <thead><tr><th>${t("Name")}</th><th>${t("Role")}</th><th>${t("Teams")}</th><th>${t("User")}</th><th>${t("Created")}</th><th>${t("Last used")}</th><th><span class="visually-hidden">${t("Actions")}</span></th></tr></thead>
          <tbody>${tokens.map((token) => html`<tr data-token-id=${token.id} data-token-name=${token.name}>
            <td><strong>${token.name}</strong></td>
            <td>${roleWord(token.role)}</td>
            <td>${token.teams.join(", ")}</td>
            <td>${token.user || html`<span class="muted">${t("operator")}</span>`}</td>
            <td>${formatDateTime(token.created_at)}</td>
            <td>${token.last_used_at ? formatDateTime(token.last_used_at) : html`<span class="muted">${t("never")}</span>`}</td>
            <td class="desk-table__actions"><button class="btn btn--small btn--danger" type="button" data-action="revoke" onClick=${() => revoke(token)}>${t("Revoke")}</button></td>
          </tr>`)}</tbody>
        </table>`}
  </section>`;
}

render(html`<${Tokens} />`, mount());

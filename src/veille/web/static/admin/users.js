// Admin page /admin/users: every user with role and teams; add one, change a role or teams, set a
// password, remove one (their sessions and tokens end at once).
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime } from "veille/format.js";
import { t } from "veille/i18n.js";
import { ErrorBanner, Field, mount } from "../sharing/common.js";

const ROLES = ["viewer", "analyst", "admin"];
const roleWord = (role) => ({ viewer: t("Viewer"), analyst: t("Analyst"), admin: t("Administrator") })[role] || role;
const listOf = (text) => text.split(",").map((part) => part.trim()).filter(Boolean);

function UserRow({ user, onChange, setError }) {
  const [teams, setTeams] = useState(user.teams.join(", "));
  const act = async (work) => {
    try {
      await work();
      setError(null);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  };
  const address = `/api/v1/users/${encodeURIComponent(user.username)}`;
  const setPassword = () => {
    const password = window.prompt(t("New password for {user} (8 characters at least)", { user: user.username }));
    if (password) act(() => api.put(address, { password }));
  };
  const remove = () => {
    const question = t("Remove {user}? Their sessions and tokens end now.", { user: user.username });
    if (window.confirm(question)) act(() => api.delete(address));
  };
  return html`<tr data-username=${user.username} data-role=${user.role}>
    <td><strong>${user.username}</strong></td>
    <td><select aria-label=${t("Role")} value=${user.role} onChange=${(event) => act(() => api.put(`/api/v1/users/${encodeURIComponent(user.username)}`, { role: event.currentTarget.value }))}>
      ${ROLES.map((role) => html`<option value=${role}>${roleWord(role)}</option>`)}
    </select></td>
    <td><input aria-label=${t("Teams")} value=${teams} onInput=${(event) => setTeams(event.currentTarget.value)} onChange=${() => act(() => api.put(`/api/v1/users/${encodeURIComponent(user.username)}`, { teams: listOf(teams) }))} /></td>
    <td>${formatDateTime(user.created_at)}</td>
    <td class="desk-table__actions">
      <button class="btn btn--small" type="button" data-action="password" onClick=${setPassword}>${t("Set password")}</button>
      <button class="btn btn--small btn--danger" type="button" data-action="remove" onClick=${remove}>${t("Remove")}</button>
    </td>
  </tr>`;
}

function Users() {
  const [users, setUsers] = useState(null);
  const [error, setError] = useState(null);
  const [draft, setDraft] = useState({ username: "", password: "", role: "analyst", teams: "" });
  const load = useCallback(() => api.get("/api/v1/users").then((answer) => setUsers(answer.items), setError), []);
  useEffect(() => {
    load();
  }, [load]);
  const add = async (event) => {
    event.preventDefault();
    try {
      await api.post("/api/v1/users", { ...draft, teams: listOf(draft.teams) });
      setDraft({ username: "", password: "", role: "analyst", teams: "" });
      setError(null);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  return html`<section class="admin-users">
    <${ErrorBanner} error=${error} />
    <form class="inline-form" data-form="add-user" onSubmit=${add}>
      <${Field} label=${t("Username")} name="username"><input name="username" required value=${draft.username} onInput=${set("username")} /><//>
      <${Field} label=${t("Password")} name="password"><input name="password" type="password" minlength="8" required autocomplete="new-password" value=${draft.password} onInput=${set("password")} /><//>
      <${Field} label=${t("Role")} name="role"><select name="role" value=${draft.role} onChange=${set("role")}>${ROLES.map((role) => html`<option value=${role}>${roleWord(role)}</option>`)}</select><//>
      <${Field} label=${t("Teams")} name="teams" hint=${t("comma-separated")}><input name="teams" value=${draft.teams} onInput=${set("teams")} /><//>
      <button class="btn btn--primary" type="submit">${t("Add the user")}</button>
    </form>
    ${users === null
      ? html`<p class="muted" role="status">${t("Loading…")}</p>`
      : html`<table class="desk-table">
          <thead><tr><th>${t("User")}</th><th>${t("Role")}</th><th>${t("Teams")}</th><th>${t("Created")}</th><th><span class="visually-hidden">${t("Actions")}</span></th></tr></thead>
          <tbody>${users.map((user) => html`<${UserRow} key=${user.username} user=${user} onChange=${load} setError=${setError} />`)}</tbody>
        </table>`}
  </section>`;
}

render(html`<${Users} />`, mount());

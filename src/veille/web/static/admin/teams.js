// Admin page /admin/teams: teams with their scope (topics, countries, sources) and members; add,
// change a scope, remove.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";
import { ErrorBanner, Field, mount } from "../sharing/common.js";

const listOf = (text) => {
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  return parts.length ? parts : null;
};
const shown = (values) => (values && values.length ? values.join(", ") : "");

function TeamRow({ team, onChange, setError }) {
  const [scope, setScope] = useState({ topics: shown(team.topics), countries: shown(team.countries), sources: shown(team.sources) });
  const save = async () => {
    try {
      await api.put(`/api/v1/teams/${encodeURIComponent(team.name)}`, { name: team.name, topics: listOf(scope.topics), countries: listOf(scope.countries), sources: listOf(scope.sources) });
      setError(null);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async () => {
    const question = t("Remove team {team}?", { team: team.name });
    if (!window.confirm(question)) return;
    try {
      await api.delete(`/api/v1/teams/${encodeURIComponent(team.name)}`);
      onChange();
    } catch (caught) {
      setError(caught);
    }
  };
  const cell = (name) => html`<td><input aria-label=${name} value=${scope[name]} placeholder=${t("everything")} onInput=${(event) => setScope({ ...scope, [name]: event.currentTarget.value })} /></td>`;
  return html`<tr data-team=${team.name}>
    <td><strong>${team.name}</strong></td>
    ${cell("topics")}${cell("countries")}${cell("sources")}
    <td>${team.members.join(", ") || html`<span class="muted">${t("nobody")}</span>`}</td>
    <td class="desk-table__actions">
      <button class="btn btn--small" type="button" data-action="save" onClick=${save}>${t("Save")}</button>
      <button class="btn btn--small btn--danger" type="button" data-action="remove" onClick=${remove}>${t("Remove")}</button>
    </td>
  </tr>`;
}

function Teams() {
  const [teams, setTeams] = useState(null);
  const [error, setError] = useState(null);
  const [draft, setDraft] = useState({ name: "", topics: "", countries: "", sources: "" });
  const load = useCallback(() => api.get("/api/v1/teams").then((answer) => setTeams(answer.items), setError), []);
  useEffect(() => {
    load();
  }, [load]);
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const add = async (event) => {
    event.preventDefault();
    try {
      await api.post("/api/v1/teams", { name: draft.name, topics: listOf(draft.topics), countries: listOf(draft.countries), sources: listOf(draft.sources) });
      setDraft({ name: "", topics: "", countries: "", sources: "" });
      setError(null);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  return html`<section class="admin-teams">
    <p class="muted">${t("A team sees the posts of its scope: the topics, countries and sources listed (empty: no restriction).")}</p>
    <${ErrorBanner} error=${error} />
    <form class="inline-form" data-form="add-team" onSubmit=${add}>
      <${Field} label=${t("Name")} name="name"><input name="name" required value=${draft.name} onInput=${set("name")} /><//>
      <${Field} label=${t("Topics")} name="topics" hint=${t("comma-separated")}><input name="topics" value=${draft.topics} onInput=${set("topics")} /><//>
      <${Field} label=${t("Countries")} name="countries" hint=${t("FR, BE…")}><input name="countries" value=${draft.countries} onInput=${set("countries")} /><//>
      <${Field} label=${t("Sources")} name="sources"><input name="sources" value=${draft.sources} onInput=${set("sources")} /><//>
      <button class="btn btn--primary" type="submit">${t("Add the team")}</button>
    </form>
    ${teams === null
      ? html`<p class="muted" role="status">${t("Loading…")}</p>`
      : html`<table class="desk-table">
          <thead><tr><th>${t("Team")}</th><th>${t("Topics")}</th><th>${t("Countries")}</th><th>${t("Sources")}</th><th>${t("Members")}</th><th><span class="visually-hidden">${t("Actions")}</span></th></tr></thead>
          <tbody>${teams.map((team) => html`<${TeamRow} key=${team.name} team=${team} onChange=${load} setError=${setError} />`)}</tbody>
        </table>`}
  </section>`;
}

render(html`<${Teams} />`, mount());

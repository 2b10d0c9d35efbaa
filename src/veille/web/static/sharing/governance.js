// Official-account governance (/governance): the requests the reader may see, a form to file one,
// and one request with its comment thread; reviewers (admins) approve, reject or ask for changes,
// the requester changes and submits again when asked.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime } from "veille/format.js";
import { t } from "veille/i18n.js";
import { ErrorBanner, Field, mount, statusWord } from "./common.js";

const root = mount();
const ROLE = root.dataset.role;
const USER = root.dataset.user;
const EMPTY = {
  platform: "x",
  handle: "",
  country: "",
  target_audience: "",
  why_not_addressed: "",
  editorial_line: "",
  people: "1",
  hours_per_week: "",
  goal: "",
  kpis: "",
  owner_team: "",
};

function draftOf(request) {
  return {
    platform: request.platform,
    handle: request.handle,
    country: request.country || "",
    target_audience: request.target_audience,
    why_not_addressed: request.why_not_addressed,
    editorial_line: request.editorial_line,
    people: String(request.resources.people),
    hours_per_week: String(request.resources.hours_per_week),
    goal: request.goal,
    kpis: request.kpis.join("\n"),
    owner_team: request.owner_team || "",
  };
}

function bodyOf(draft) {
  const body = {
    platform: draft.platform.trim(),
    handle: draft.handle.trim(),
    country: draft.country.trim() || null,
    target_audience: draft.target_audience,
    why_not_addressed: draft.why_not_addressed,
    editorial_line: draft.editorial_line,
    resources: { people: Number(draft.people), hours_per_week: Number(draft.hours_per_week) },
    goal: draft.goal,
    kpis: draft.kpis.split("\n").map((line) => line.trim()).filter(Boolean),
  };
  if (draft.owner_team.trim()) body.owner_team = draft.owner_team.trim();
  return body;
}

function RequestForm({ initial, onSubmit, onCancel, submitLabel }) {
  const [draft, setDraft] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit(bodyOf(draft));
      setError(null);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const text = (name, label, hint) => html`<${Field} label=${label} name=${name} hint=${hint}><textarea name=${name} rows="2" required value=${draft[name]} onInput=${set(name)}></textarea><//>`;
  return html`<form class="request-form" onSubmit=${submit}>
    <${ErrorBanner} error=${error} />
    <div class="request-form__row">
      <${Field} label=${t("Platform")} name="platform"><input name="platform" required value=${draft.platform} onInput=${set("platform")} /><//>
      <${Field} label=${t("Proposed handle")} name="handle"><input name="handle" required value=${draft.handle} onInput=${set("handle")} /><//>
      <${Field} label=${t("Country")} name="country" hint=${t("ISO code; empty: a global account")}><input name="country" maxlength="2" value=${draft.country} onInput=${set("country")} /><//>
      <${Field} label=${t("Owner team")} name="owner_team" hint=${t("empty: your first team")}><input name="owner_team" value=${draft.owner_team} onInput=${set("owner_team")} /><//>
    </div>
    ${text("target_audience", t("Target audience"))}
    ${text("why_not_addressed", t("Why this audience is not already addressed"))}
    ${text("editorial_line", t("Editorial line"))}
    <div class="request-form__row">
      <${Field} label=${t("People")} name="people"><input name="people" type="number" min="1" required value=${draft.people} onInput=${set("people")} /><//>
      <${Field} label=${t("Hours per week")} name="hours_per_week"><input name="hours_per_week" type="number" min="0.5" step="0.5" required value=${draft.hours_per_week} onInput=${set("hours_per_week")} /><//>
    </div>
    ${text("goal", t("Goal"))}
    ${text("kpis", t("KPIs"), t("one per line"))}
    <div class="request-form__actions">
      <button class="btn btn--primary" type="submit" disabled=${busy}>${submitLabel}</button>
      ${onCancel ? html`<button class="btn btn--ghost" type="button" onClick=${onCancel}>${t("Cancel")}</button>` : null}
    </div>
  </form>`;
}

function Review({ request, onDone }) {
  const [comment, setComment] = useState("");
  const [error, setError] = useState(null);
  const act = async (action) => {
    try {
      const answer = await api.post(`/api/v1/governance/requests/${request.id}/${action}`, { comment });
      setComment("");
      setError(null);
      onDone(answer);
    } catch (caught) {
      setError(caught);
    }
  };
  return html`<section class="review" aria-label=${t("Review")}>
    <h3>${t("Review")}</h3>
    <${ErrorBanner} error=${error} />
    <textarea name="review-comment" rows="2" placeholder=${t("Comment (required to ask for changes)")} value=${comment} onInput=${(event) => setComment(event.currentTarget.value)}></textarea>
    <div class="review__actions">
      <button class="btn btn--go" type="button" data-action="approve" onClick=${() => act("approve")}>${t("Approve")}</button>
      <button class="btn" type="button" data-action="request-changes" onClick=${() => act("request-changes")}>${t("Ask for changes")}</button>
      <button class="btn btn--danger" type="button" data-action="reject" onClick=${() => act("reject")}>${t("Reject")}</button>
    </div>
  </section>`;
}

function Thread({ request, onDone }) {
  const [text, setText] = useState("");
  const [error, setError] = useState(null);
  const send = async (event) => {
    event.preventDefault();
    try {
      onDone(await api.post(`/api/v1/governance/requests/${request.id}/comments`, { text }));
      setText("");
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  };
  const words = { filed: t("filed the request"), updated: t("changed the request"), comment: t("commented"), approve: t("approved"), reject: t("rejected"), "request-changes": t("asked for changes") };
  return html`<section class="thread" aria-label=${t("Comments")}>
    <h3>${t("Comments")}</h3>
    <ol class="thread__items">
      ${request.comments.map((item) => html`<li class="thread__item" data-action=${item.action}>
        <span class="thread__head"><strong>${item.author}</strong> ${words[item.action] || item.action} · <time>${formatDateTime(item.at)}</time></span>
        ${item.text ? html`<p dir="auto">${item.text}</p>` : null}
      </li>`)}
    </ol>
    ${ROLE !== "viewer"
      ? html`<form class="thread__form" onSubmit=${send}>
          <${ErrorBanner} error=${error} />
          <textarea name="comment" rows="2" required placeholder=${t("Add a comment")} value=${text} onInput=${(event) => setText(event.currentTarget.value)}></textarea>
          <button class="btn btn--small" type="submit">${t("Comment")}</button>
        </form>`
      : null}
  </section>`;
}

function Detail({ id, onChange }) {
  const [request, setRequest] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    setRequest(null);
    api.get(`/api/v1/governance/requests/${id}`).then(setRequest, setError);
  }, [id]);
  const done = (answer) => {
    setRequest(answer);
    setEditing(false);
    onChange();
  };
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!request) return html`<p class="muted" role="status">${t("Loading…")}</p>`;
  const mine = request.requested_by === USER || ROLE === "admin";
  return html`<article class="request" data-request-id=${request.id} data-status=${request.status}>
    <header class="request__head">
      <h2 dir="auto">${request.platform}:@${request.handle}</h2>
      <span class=${`badge status status--${request.status}`}>${statusWord(request.status)}</span>
    </header>
    <p class="muted">${request.owner_team ? t("Requested by {user} for team {team}, {when}", { user: request.requested_by, team: request.owner_team, when: formatDateTime(request.created_at) }) : t("Requested by {user}, for no team, {when}", { user: request.requested_by, when: formatDateTime(request.created_at) })}${request.account_id ? html` · <a href="/governance/register">${t("In the register")}</a>` : null}</p>
    ${editing
      ? html`<${RequestForm} initial=${draftOf(request)} submitLabel=${t("Submit again")} onCancel=${() => setEditing(false)} onSubmit=${async (body) => done(await api.put(`/api/v1/governance/requests/${request.id}`, body))} />`
      : html`<dl class="request__fields">
          <dt>${t("Country")}</dt><dd>${request.country || t("global")}</dd>
          <dt>${t("Target audience")}</dt><dd dir="auto">${request.target_audience}</dd>
          <dt>${t("Why this audience is not already addressed")}</dt><dd dir="auto">${request.why_not_addressed}</dd>
          <dt>${t("Editorial line")}</dt><dd dir="auto">${request.editorial_line}</dd>
          <dt>${t("Resources")}</dt><dd>${t("{people} people, {hours} hours per week", { people: request.resources.people, hours: request.resources.hours_per_week })}</dd>
          <dt>${t("Goal")}</dt><dd dir="auto">${request.goal}</dd>
          <dt>${t("KPIs")}</dt><dd><ul>${request.kpis.map((kpi) => html`<li dir="auto">${kpi}</li>`)}</ul></dd>
        </dl>
        ${request.status === "changes_requested" && mine ? html`<button class="btn btn--primary" type="button" data-action="edit" onClick=${() => setEditing(true)}>${t("Change the request")}</button>` : null}`}
    ${ROLE === "admin" && request.status === "submitted" ? html`<${Review} request=${request} onDone=${done} />` : null}
    <${Thread} request=${request} onDone=${done} />
  </article>`;
}

function Governance() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(() => Number(new URLSearchParams(window.location.search).get("request")) || null);
  const [filing, setFiling] = useState(false);
  const load = useCallback(() => api.get("/api/v1/governance/requests").then((answer) => setItems(answer.items), setError), []);
  useEffect(() => {
    load();
  }, [load]);
  const choose = (id) => {
    setSelected(id);
    setFiling(false);
    const address = new URLSearchParams(window.location.search);
    address.set("request", String(id));
    window.history.replaceState(null, "", `/governance?${address}`);
  };
  return html`<div class="governance">
    <aside class="governance__list">
      ${ROLE !== "viewer" ? html`<button class="btn btn--primary" type="button" data-action="new-request" onClick=${() => setFiling(true)}>${t("Request an official account")}</button>` : null}
      <${ErrorBanner} error=${error} />
      ${items === null
        ? html`<p class="muted" role="status">${t("Loading…")}</p>`
        : items.length
          ? html`<ul class="request-list">
              ${items.map((item) => html`<li><button type="button" class=${`request-list__item${item.id === selected ? " is-selected" : ""}`} data-request-id=${item.id} data-status=${item.status} onClick=${() => choose(item.id)}>
                <span dir="auto">${item.platform}:@${item.handle}</span>
                <span class=${`badge status status--${item.status}`}>${statusWord(item.status)}</span>
              </button></li>`)}
            </ul>`
          : html`<p class="admin-empty">${t("No request yet.")}</p>`}
    </aside>
    <section class="governance__main">
      ${filing
        ? html`<h2>${t("Request an official account")}</h2>
          <p class="muted">${t("The communication unit reviews every request before an account is opened.")}</p>
          <${RequestForm} initial=${EMPTY} submitLabel=${t("File the request")} onCancel=${() => setFiling(false)} onSubmit=${async (body) => {
            const created = await api.post("/api/v1/governance/requests", body);
            await load();
            choose(created.id);
          }} />`
        : selected
          ? html`<${Detail} id=${selected} onChange=${load} />`
          : html`<div class="admin-empty"><h2>${t("Choose a request")}</h2><p>${t("Its fields, its review and its comments open here.")}</p></div>`}
    </section>
  </div>`;
}

render(html`<${Governance} />`, root);

// A wall's moderation queue (/walls/{id}/moderation): the recent posts under the wall's filters,
// each with its decision (approved, hidden, pinned), the rule that keeps it off the screens if any,
// and whether the screens show it; approve, hide or pin in one click (POST …/moderation/{post_id}).
// A hidden post leaves every screen of the wall within a second (the wall's stream tells them).
// New posts are announced as they arrive (the hub's live stream); the list is read again on demand.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatAge } from "veille/format.js";
import { t } from "veille/i18n.js";
import { openStream } from "veille/live.js";
import { postFields, sourceLabel } from "veille/widgets/posts.js";

const host = document.getElementById("wall-moderation");
const wallId = Number(host.dataset.wallId);

function statusName(status) {
  switch (status) {
    case "approved":
      return t("Approved");
    case "hidden":
      return t("Hidden");
    case "pinned":
      return t("Pinned");
    default:
      return t("Pending");
  }
}

function Item({ item, onDecide }) {
  const fields = postFields(item.post);
  return html`<li class="moderation-item" data-post-id=${fields.id} data-status=${item.status || "pending"} data-shown=${item.shown ? "true" : "false"}>
    <div>
      <p class="moderation-item__meta">
        <strong>${fields.name || `@${fields.handle}`}</strong>
        <span>${sourceLabel(fields.source)}</span>
        <span>${formatAge(fields.createdAt, Date.now())}</span>
        <span>${statusName(item.status)}</span>
        <span>${item.shown ? t("Shown") : t("Not shown")}</span>
        ${item.reason ? html`<span>${t("Kept off by the rule: {reason}", { reason: item.reason })}</span>` : null}
      </p>
      <p class="moderation-item__text" dir="auto">${fields.text}</p>
    </div>
    <div class="moderation-item__actions">
      <button type="button" class="btn btn--small" data-action="approve" onClick=${() => onDecide(fields.id, "approve")}>${t("Approve")}</button>
      <button type="button" class="btn btn--small" data-action="pin" onClick=${() => onDecide(fields.id, "pin")}>${t("Pin")}</button>
      <button type="button" class="btn btn--ghost btn--small" data-action="hide" onClick=${() => onDecide(fields.id, "hide")}>${t("Hide")}</button>
    </div>
  </li>`;
}

function Queue() {
  const [wall, setWall] = useState(null);
  const [status, setStatus] = useState("all");
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [arrived, setArrived] = useState(0);
  const load = () =>
    api.get(`/api/v1/walls/${wallId}/moderation`, { query: { status, limit: 100 } }).then(
      (answer) => {
        setItems(answer.items || []);
        setArrived(0);
      },
      (failure) => setError(failure.message),
    );
  useEffect(() => {
    api.get(`/api/v1/walls/${wallId}`).then(setWall, (failure) => setError(failure.message));
  }, []);
  useEffect(() => {
    load();
  }, [status]);
  useEffect(() => {
    const stream = openStream({ on: { post: () => setArrived((count) => count + 1) } });
    return () => stream.close();
  }, []);
  const decide = async (postId, action) => {
    try {
      await api.post(`/api/v1/walls/${wallId}/moderation/${encodeURIComponent(postId).replace(/%3A/g, ":")}`, { action });
      await load();
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`<section class="moderation">
    <header class="walls__head">
      <h1>${t("Moderation queue")}${wall ? ` — ${wall.name}` : ""}</h1>
      <p class="wall-card__actions">
        <a class="btn btn--ghost btn--small" href=${`/walls/${wallId}`} target="_blank" rel="noopener">${t("Open the wall")}</a>
        <a class="btn btn--ghost btn--small" href=${`/walls/${wallId}/edit`}>${t("Editor")}</a>
        <label>${t("Show")} <select value=${status} data-field="status" onChange=${(event) => setStatus(event.currentTarget.value)}>
          <option value="all">${t("Everything")}</option>
          <option value="pending">${t("Pending")}</option>
        </select></label>
        <button type="button" class="btn btn--small" data-action="refresh" onClick=${load}>${t("Refresh")}</button>
      </p>
      ${arrived ? html`<p role="status">${t("New posts arrived: refresh to see them.")}</p>` : null}
    </header>
    ${error ? html`<p class="admin-error" role="alert">${error}</p>` : null}
    ${items === null && !error ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
    ${items && items.length === 0 ? html`<p class="admin-empty">${t("Nothing to moderate in the wall's period.")}</p>` : null}
    ${items ? html`<ol class="moderation-list">${items.map((item) => html`<${Item} key=${item.post.id} item=${item} onDecide=${decide} />`)}</ol>` : null}
  </section>`;
}

render(html`<${Queue} />`, host);

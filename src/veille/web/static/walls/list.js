// The walls list (/walls): every wall with its screens' addresses, its editor and moderation queue,
// its kiosk links; and a new wall (name, screens across and down), opened in the editor at once.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatRelative } from "veille/format.js";
import { t, tn } from "veille/i18n.js";
import { SharingControl, useMe } from "../sharing/common.js";
import { shareWall } from "./sharing.js";

/** What a new wall starts with: one scene, a carousel across the middle, a clock and a feed. */
export function starterScenes(columns, rows) {
  const width = columns * 12;
  const height = rows * 12;
  return [
    {
      name: t("Live"),
      duration_s: 60,
      widgets: [
        { type: "carousel", title: "", x: 0, y: 0, w: Math.max(1, width - Math.min(4, width - 1)), h: height, options: {} },
        ...(width > 4 ? [{ type: "clock", title: "", x: width - 4, y: 0, w: 4, h: Math.min(3, height), options: {} }] : []),
        ...(width > 4 && height > 3 ? [{ type: "feed", title: "", x: width - 4, y: 3, w: 4, h: height - 3, options: {} }] : []),
      ],
    },
  ];
}

function Links({ wall }) {
  const [links, setLinks] = useState(null);
  const [made, setMade] = useState(null);
  const load = () => api.get(`/api/v1/walls/${wall.id}/links`).then((answer) => setLinks(answer.items), () => setLinks(null));
  useEffect(() => {
    load();
  }, []);
  const create = async () => {
    const link = await api.post(`/api/v1/walls/${wall.id}/links`);
    setMade(link);
    load();
  };
  const revoke = async () => {
    if (!made) return;
    await api.delete(`/api/v1/walls/${wall.id}/links/${made.token}`);
    setMade(null);
    load();
  };
  return html`<div class="wall-card__links">
    <button type="button" class="btn btn--small" onClick=${create} data-action="create-link">${t("New kiosk link")}</button>
    ${made
      ? html`<p class="wall-card__link"><a href=${made.url} data-kiosk-url>${window.location.origin}${made.url}</a>
          <button type="button" class="btn btn--ghost btn--small" onClick=${revoke}>${t("Revoke")}</button></p>`
      : null}
    ${links ? html`<span class="wall-card__meta">${tn("{n} kiosk link", "{n} kiosk links", links.length)}</span>` : null}
  </div>`;
}

function Card({ wall: stored }) {
  const [wall, setWall] = useState(stored);
  const me = useMe(); // kiosk links are the analysts' (a viewer is refused them)
  const count = wall.screens.columns * wall.screens.rows;
  const screens = Array.from({ length: count }, (_, index) => index + 1);
  return html`<li class="wall-card" data-wall-card=${wall.id}>
    <h2 class="wall-card__name"><a href=${`/walls/${wall.id}`}>${wall.name}</a></h2>
    <p class="wall-card__meta">
      <span>${t("{columns} × {rows} screens", { columns: wall.screens.columns, rows: wall.screens.rows })}</span>
      <span>${tn("{n} scene", "{n} scenes", wall.scenes.length)}</span>
      <span>${wall.moderation.mode === "pre" ? t("Pre-moderated") : t("Post-moderated")}</span>
      <span>${t("updated {when}", { when: formatRelative(wall.updated_at) })}</span>
    </p>
    <${SharingControl} kind="wall" item=${wall} save=${(sharing) => shareWall(wall.id, sharing)} onSaved=${setWall} />
    <p class="wall-card__screens">
      ${t("Screens:")} ${screens.map((n) => html`<a class="wall-card__screen" href=${`/walls/${wall.id}?screen=${n}`}>${n}</a> `)}
    </p>
    <p class="wall-card__actions">
      <a class="btn btn--small" href=${`/walls/${wall.id}/edit`}>${t("Edit")}</a>
      <a class="btn btn--small" href=${`/walls/${wall.id}/moderation`}>${t("Moderation")}</a>
    </p>
    ${me && me.role !== "viewer" ? html`<${Links} wall=${wall} />` : null}
  </li>`;
}

function NewWall() {
  const [name, setName] = useState("");
  const [columns, setColumns] = useState(1);
  const [rows, setRows] = useState(1);
  const [error, setError] = useState(null);
  const create = async (event) => {
    event.preventDefault();
    try {
      const created = await api.post("/api/v1/walls", {
        name: name.trim(),
        screens: { columns: Number(columns), rows: Number(rows) },
        filters: { range: "24h", tz: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" },
        scenes: starterScenes(Number(columns), Number(rows)),
      });
      window.location.assign(`/walls/${created.id}/edit`);
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`<form class="wall-new" onSubmit=${create}>
    <label>${t("Name")} <input name="name" required maxlength="200" value=${name} onInput=${(event) => setName(event.target.value)} /></label>
    <label>${t("Screens across")} <input name="columns" type="number" min="1" max="8" value=${columns} onInput=${(event) => setColumns(event.target.value)} /></label>
    <label>${t("Screens down")} <input name="rows" type="number" min="1" max="8" value=${rows} onInput=${(event) => setRows(event.target.value)} /></label>
    <button type="submit" class="btn">${t("Create the wall")}</button>
    ${error ? html`<p class="admin-error" role="alert">${error}</p>` : null}
  </form>`;
}

function WallsPage() {
  const [walls, setWalls] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api.get("/api/v1/walls").then((answer) => setWalls(answer.items), (failure) => setError(failure.message));
  }, []);
  return html`<section class="walls">
    <header class="walls__head">
      <h1>${t("Walls")}</h1>
      <p class="walls__lead">${t("A wall is a canvas of screens (12 × 12 cells each) with its filters, moderation and scenes. The single live wall is still at")} <a href="/wall">/wall</a>.</p>
    </header>
    <${NewWall} />
    ${error ? html`<p class="admin-error" role="alert">${error}</p>` : null}
    ${walls === null && !error ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
    ${walls && walls.length === 0 ? html`<p class="admin-empty">${t("No wall yet: create the first one above.")}</p>` : null}
    ${walls ? html`<ul class="wall-cards">${walls.map((wall) => html`<${Card} key=${wall.id} wall=${wall} />`)}</ul>` : null}
  </section>`;
}

render(html`<${WallsPage} />`, document.getElementById("walls"));

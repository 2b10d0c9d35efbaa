// The wall editor (/walls/{id}/edit): the canvas of C × R screens with their borders drawn, the
// widgets of each scene laid on it (gridstack: move and resize, across borders too), the scenes
// (name, duration, order), the filters and the moderation rules; save (PUT: a new version), restore
// an earlier version, preview at the screens' real size (the screen pages themselves, in a tab of
// their own: no page of the hub may be framed, frame-ancestors 'none'), and show a scene on the
// screens now. Open screens follow a save within a second (the wall's stream).
import { html, render } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatRelative } from "veille/format.js";
import { GridStack } from "veille/grid.js";
import { t } from "veille/i18n.js";
import { widgetDefinition } from "veille/widgets/index.js";
import { SharingControl } from "../sharing/common.js";
import { CELLS } from "./canvas.js";
import { shareWall } from "./sharing.js";
import { SCREEN_TYPES } from "./screen_widgets.js";

const host = document.getElementById("wall-editor");
const wallId = Number(host.dataset.wallId);
const WALL_TYPES = ["carousel", "feed", "top_posts", "clock", "alerts", "text", "kpi", "volume", "sentiment", "share_of_voice", "map", "trends", "influencers", "care", "content"];
const EXTRA_FIELDS = {
  carousel: [
    { name: "seconds", label: () => t("Duration (seconds)"), choices: [5, 8, 12, 20] },
    { name: "limit", label: () => t("Posts shown"), choices: [5, 10, 20, 50] },
  ],
  feed: [{ name: "limit", label: () => t("Posts shown"), choices: [5, 8, 10, 20] }],
  top_posts: [{ name: "limit", label: () => t("Posts shown"), choices: [3, 5, 10] }],
};

export function typeLabel(type) {
  if (SCREEN_TYPES[type]) return SCREEN_TYPES[type]();
  const definition = widgetDefinition(type);
  return definition ? definition.label() : type;
}

function fieldsOf(type) {
  if (EXTRA_FIELDS[type]) return EXTRA_FIELDS[type];
  const definition = widgetDefinition(type);
  return definition && definition.fields ? definition.fields : [];
}

function listText(values) {
  return (values || []).join(", ");
}

function textList(text) {
  return String(text || "")
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}

/** The canvas: gridstack with 12 × C columns and 12 × R rows, the screens' borders drawn over it. */
function Canvas({ wall, scene, selected, onSelect, onMove }) {
  const box = useRef(null);
  const gridHost = useRef(null);
  const [width, setWidth] = useState(0);
  const { columns, rows } = wall.screens;
  useEffect(() => {
    const measure = () => setWidth(box.current ? box.current.clientWidth : 0);
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, []);
  const screenW = width / columns;
  const screenH = (screenW * 9) / 16;
  const cellH = screenH / CELLS;
  const widgets = wall.scenes[scene].widgets;

  useEffect(() => {
    if (!width || !gridHost.current) return undefined;
    const container = gridHost.current;
    container.replaceChildren();
    widgets.forEach((widget, index) => {
      const item = document.createElement("div");
      item.className = "grid-stack-item";
      item.dataset.index = String(index);
      item.dataset.widgetType = widget.type;
      item.setAttribute("gs-id", String(index));
      item.setAttribute("gs-x", String(widget.x));
      item.setAttribute("gs-y", String(widget.y));
      item.setAttribute("gs-w", String(widget.w));
      item.setAttribute("gs-h", String(widget.h));
      const content = document.createElement("div");
      content.className = "grid-stack-item-content";
      if (index === selected) content.style.outline = "2px solid var(--accent)";
      const name = document.createElement("strong");
      name.textContent = typeLabel(widget.type);
      const title = document.createElement("span");
      title.textContent = widget.title || "";
      const where = document.createElement("small");
      where.textContent = `${widget.x},${widget.y} · ${widget.w}×${widget.h}`;
      content.append(name, title, where);
      content.addEventListener("click", () => onSelect(index));
      item.append(content);
      container.append(item);
    });
    const grid = GridStack.init(
      {
        column: columns * CELLS,
        maxRow: rows * CELLS,
        cellHeight: cellH,
        margin: 1,
        float: true,
        animate: false,
        columnOpts: { breakpoints: [] },
      },
      container,
    );
    grid.on("change", (_event, nodes) => {
      onMove((nodes || []).map((node) => ({ index: Number(node.id), x: node.x, y: node.y, w: node.w, h: node.h })));
    });
    return () => grid.destroy(false);
  }, [width, scene, wall.scenes, selected, columns, rows]);

  const bezels = [];
  for (let column = 1; column < columns; column += 1) {
    bezels.push(html`<div class="wall-editor__bezel" style=${`left:${column * screenW - 1}px;top:0;bottom:0;width:3px`}></div>`);
  }
  for (let row = 1; row < rows; row += 1) {
    bezels.push(html`<div class="wall-editor__bezel" style=${`top:${row * screenH - 1}px;left:0;right:0;height:3px`}></div>`);
  }
  const numbers = [];
  for (let n = 1; n <= columns * rows; n += 1) {
    const column = (n - 1) % columns;
    const row = Math.floor((n - 1) / columns);
    numbers.push(html`<span class="wall-editor__screen-number" style=${`left:${column * screenW}px;top:${row * screenH}px`}>${t("Screen {n}", { n })}</span>`);
  }
  return html`<div class="wall-editor__canvas" ref=${box} style=${`height:${screenH * rows}px`} data-canvas=${`${columns}x${rows}`}>
    <div class="grid-stack" ref=${gridHost}></div>
    <div class="wall-editor__bezels" aria-hidden="true">${bezels}${numbers}</div>
  </div>`;
}

function WidgetSettings({ widget, onChange, onRemove }) {
  const options = widget.options || {};
  const setOption = (name, value) => onChange({ ...widget, options: { ...options, [name]: value } });
  return html`<fieldset class="wall-editor__settings" data-settings=${widget.type}>
    <legend>${typeLabel(widget.type)}</legend>
    <label>${t("Title")}<input data-field="title" value=${widget.title || ""} onInput=${(event) => onChange({ ...widget, title: event.currentTarget.value })} /></label>
    ${fieldsOf(widget.type).map((field) =>
      field.kind === "text"
        ? html`<label>${field.label()}<textarea rows="4" data-option=${field.name} value=${options[field.name] || ""} onInput=${(event) => setOption(field.name, event.currentTarget.value)}></textarea></label>`
        : field.kind === "topics"
          ? html`<label>${field.label()}<input data-option=${field.name} value=${listText(options[field.name])} onChange=${(event) => setOption(field.name, textList(event.currentTarget.value))} /></label>`
          : html`<label>${field.label()}<select data-option=${field.name} value=${JSON.stringify(options[field.name] ?? null)} onChange=${(event) => setOption(field.name, JSON.parse(event.currentTarget.value))}>
              <option value="null">—</option>
              ${(field.choices || []).map((choice) => html`<option value=${JSON.stringify(choice)}>${field.choiceLabel ? field.choiceLabel(choice) : String(choice)}</option>`)}
            </select></label>`,
    )}
    <button type="button" class="btn btn--ghost btn--small" onClick=${onRemove} data-action="remove">${t("Remove")}</button>
  </fieldset>`;
}

function Settings({ wall, onChange }) {
  const filters = wall.filters;
  const moderation = wall.moderation;
  const setFilters = (change) => onChange({ ...wall, filters: { ...filters, ...change } });
  const setModeration = (change) => onChange({ ...wall, moderation: { ...moderation, ...change } });
  return html`<details class="wall-editor__more" open>
    <summary>${t("Filters and moderation")}</summary>
    <div class="wall-editor__settings">
      <label>${t("Period")}<select data-filter="range" value=${typeof filters.range === "string" ? filters.range : "24h"} onChange=${(event) => setFilters({ range: event.currentTarget.value })}>
        <option value="24h">24 h</option><option value="7d">7 d</option><option value="30d">30 d</option>
      </select></label>
      <label>${t("Topics (comma-separated)")}<input data-filter="topics" value=${listText(filters.topics)} onChange=${(event) => setFilters({ topics: textList(event.currentTarget.value) })} /></label>
      <label>${t("Languages (ISO codes, comma-separated)")}<input data-filter="languages" value=${listText(filters.languages)} onChange=${(event) => setFilters({ languages: textList(event.currentTarget.value) })} /></label>
      <label>${t("Countries (ISO codes, comma-separated)")}<input data-filter="countries" value=${listText(filters.countries)} onChange=${(event) => setFilters({ countries: textList(event.currentTarget.value) })} /></label>
      <label>${t("Sources (comma-separated)")}<input data-filter="sources" value=${listText(filters.sources)} onChange=${(event) => setFilters({ sources: textList(event.currentTarget.value) })} /></label>
      <label>${t("Moderation mode")}<select data-moderation="mode" value=${moderation.mode} onChange=${(event) => setModeration({ mode: event.currentTarget.value })}>
        <option value="post">${t("After publication (hide what must go)")}</option>
        <option value="pre">${t("Before publication (approve each post)")}</option>
      </select></label>
      <label>${t("Blocked terms (one per line, any language)")}<textarea rows="4" data-moderation="blocklist" value=${(moderation.blocklist || []).join("\n")} onChange=${(event) => setModeration({ blocklist: event.currentTarget.value.split("\n").map((term) => term.trim()).filter(Boolean) })}></textarea></label>
      <label>${t("Minimum followers")}<input type="number" min="0" data-moderation="min_followers" value=${moderation.min_followers} onChange=${(event) => setModeration({ min_followers: Number(event.currentTarget.value) || 0 })} /></label>
      <label><span><input type="checkbox" data-moderation="hide_links" checked=${moderation.hide_links} onChange=${(event) => setModeration({ hide_links: event.currentTarget.checked })} /> ${t("Hide posts with links")}</span></label>
      <label><span><input type="checkbox" data-moderation="hide_reposts" checked=${moderation.hide_reposts} onChange=${(event) => setModeration({ hide_reposts: event.currentTarget.checked })} /> ${t("Hide reposts")}</span></label>
      <label><span><input type="checkbox" data-moderation="hide_duplicates" checked=${moderation.hide_duplicates} onChange=${(event) => setModeration({ hide_duplicates: event.currentTarget.checked })} /> ${t("Hide near-duplicates")}</span></label>
    </div>
  </details>`;
}

function Versions({ version, onRestore }) {
  const [items, setItems] = useState([]);
  useEffect(() => {
    api.get(`/api/v1/walls/${wallId}/versions`).then((answer) => setItems(answer.items || []), () => setItems([]));
  }, [version]);
  return html`<details class="wall-editor__more">
    <summary>${t("Versions")}</summary>
    <ol class="wall-editor__versions">
      ${items.map(
        (item) => html`<li key=${item.version} data-version=${item.version}>
          ${t("Version {version} by {who}, {when}", { version: item.version, who: item.saved_by, when: formatRelative(item.saved_at) })}
          ${item.version !== version ? html` <button type="button" class="btn btn--ghost btn--small" onClick=${() => onRestore(item.wall)}>${t("Restore")}</button>` : null}
        </li>`,
      )}
    </ol>
  </details>`;
}

function spec(wall) {
  const { name, screens, filters, moderation, scenes } = wall;
  return { name, screens, filters, moderation, scenes };
}

function Editor() {
  const [wall, setWall] = useState(null);
  const [scene, setScene] = useState(0);
  const [selected, setSelected] = useState(null);
  const [message, setMessage] = useState(null);
  const [adding, setAdding] = useState("carousel");
  useEffect(() => {
    api.get(`/api/v1/walls/${wallId}`).then(setWall, (failure) => setMessage({ error: true, text: failure.message }));
  }, []);
  if (!wall) return html`<p class="admin-empty">${message ? message.text : t("Loading…")}</p>`;

  const current = wall.scenes[Math.min(scene, wall.scenes.length - 1)];
  const setScenes = (scenes) => setWall({ ...wall, scenes });
  const setCurrent = (change) => setScenes(wall.scenes.map((item, index) => (index === scene ? { ...item, ...change } : item)));
  const onMove = (moves) => {
    // Positions only: kept without redrawing the grid under the pointer.
    const widgets = current.widgets.slice();
    for (const move of moves) if (widgets[move.index]) widgets[move.index] = { ...widgets[move.index], x: move.x, y: move.y, w: move.w, h: move.h };
    current.widgets = widgets;
    wall.scenes[scene] = { ...current, widgets };
  };
  const add = () => {
    const width = wall.screens.columns * CELLS;
    const widget = { type: adding, title: "", x: 0, y: 0, w: Math.min(6, width), h: 4, options: {} };
    setCurrent({ widgets: [...current.widgets, widget] });
    setSelected(current.widgets.length);
  };
  const save = async () => {
    setMessage({ text: t("Saving…") });
    try {
      const saved = await api.put(`/api/v1/walls/${wallId}`, spec(wall));
      setWall(saved);
      setMessage({ text: t("Saved.") });
    } catch (failure) {
      setMessage({ error: true, text: failure.message });
    }
  };
  const showNow = () => api.post(`/api/v1/walls/${wallId}/scene`, { scene });
  const hold = (value) => api.post(`/api/v1/walls/${wallId}/scene`, { hold: value });
  const count = wall.screens.columns * wall.screens.rows;
  return html`<section class="wall-editor">
    <div class="wall-editor__bar">
      <input class="wall-editor__name" data-field="name" value=${wall.name} onInput=${(event) => setWall({ ...wall, name: event.currentTarget.value })} aria-label=${t("Name")} />
      <button type="button" class="btn" data-action="save" onClick=${save}>${t("Save")}</button>
      ${message ? html`<span role=${message.error ? "alert" : "status"} class=${message.error ? "admin-error" : "wall-editor__saved"}>${message.text}</span>` : null}
      <a class="btn btn--ghost btn--small" href=${`/walls/${wallId}`} target="_blank" rel="noopener">${t("Whole canvas")}</a>
      ${Array.from({ length: count }, (_, index) => html`<a class="btn btn--ghost btn--small" href=${`/walls/${wallId}?screen=${index + 1}`} target="_blank" rel="noopener">${t("Screen {n}", { n: index + 1 })}</a>`)}
      <a class="btn btn--ghost btn--small" href=${`/walls/${wallId}/moderation`}>${t("Moderation")}</a>
    </div>
    <div class="wall-editor__bar">
      <${SharingControl} kind="wall" item=${wall} save=${(sharing) => shareWall(wallId, sharing)} onSaved=${(saved) => setWall({ ...wall, owner_team: saved.owner_team, visibility: saved.visibility, version: saved.version })} />
    </div>
    <div class="wall-editor__bar wall-editor__scenes">
      ${wall.scenes.map(
        (item, index) => html`<button type="button" class="btn btn--small" aria-pressed=${index === scene ? "true" : "false"} data-scene-tab=${index} onClick=${() => {
          setScene(index);
          setSelected(null);
        }}>${item.name || t("Scene")} ${index + 1}</button>`,
      )}
      <button type="button" class="btn btn--ghost btn--small" data-action="new-scene" onClick=${() => {
        setScenes([...wall.scenes, { name: "", duration_s: 60, widgets: [] }]);
        setScene(wall.scenes.length);
        setSelected(null);
      }}>${t("New scene")}</button>
      <label>${t("Scene name")} <input data-field="scene-name" value=${current.name} onInput=${(event) => setCurrent({ name: event.currentTarget.value })} /></label>
      <label>${t("Duration (seconds)")} <input type="number" min="5" data-field="duration" value=${current.duration_s} onInput=${(event) => setCurrent({ duration_s: Number(event.currentTarget.value) || 5 })} /></label>
      ${wall.scenes.length > 1
        ? html`<button type="button" class="btn btn--ghost btn--small" onClick=${() => {
            setScenes(wall.scenes.filter((_, index) => index !== scene));
            setScene(0);
            setSelected(null);
          }}>${t("Delete this scene")}</button>`
        : null}
      <button type="button" class="btn btn--ghost btn--small" onClick=${showNow}>${t("Show this scene now")}</button>
      <button type="button" class="btn btn--ghost btn--small" onClick=${() => hold(true)}>${t("Hold")}</button>
      <button type="button" class="btn btn--ghost btn--small" onClick=${() => hold(false)}>${t("Resume")}</button>
    </div>
    <div class="wall-editor__bar">
      <label>${t("Add a widget")} <select data-field="add-type" value=${adding} onChange=${(event) => setAdding(event.currentTarget.value)}>
        ${WALL_TYPES.map((type) => html`<option value=${type}>${typeLabel(type)}</option>`)}
      </select></label>
      <button type="button" class="btn btn--small" data-action="add" onClick=${add}>${t("Add")}</button>
      <span class="walls__lead">${t("The screens' borders are drawn in blue; a widget may span them.")}</span>
    </div>
    <${Canvas} wall=${wall} scene=${scene} selected=${selected} onSelect=${setSelected} onMove=${onMove} />
    ${selected !== null && current.widgets[selected]
      ? html`<${WidgetSettings}
          widget=${current.widgets[selected]}
          onChange=${(widget) => setCurrent({ widgets: current.widgets.map((item, index) => (index === selected ? widget : item)) })}
          onRemove=${() => {
            setCurrent({ widgets: current.widgets.filter((_, index) => index !== selected) });
            setSelected(null);
          }}
        />`
      : null}
    <${Settings} wall=${wall} onChange=${setWall} />
    <${Versions} version=${wall.version} onRestore=${(document) => setWall({ ...wall, ...document })} />
    <details class="wall-editor__more" open>
      <summary>${t("Preview")}</summary>
      <p class="wall-editor__preview">
        <a class="btn btn--ghost btn--small" data-action="preview" href=${`/walls/${wallId}`} target="_blank" rel="noopener">${t("Open the screens in a new tab")}</a>
        <span class="walls__lead">${t("They follow every save within a second.")}</span>
      </p>
    </details>
  </section>`;
}

render(html`<${Editor} />`, host);

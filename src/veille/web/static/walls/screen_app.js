// A wall's screen (/walls/{id}?screen=N, /k/<token>?screen=N) or its whole canvas (/walls/{id}),
// started by screen.js.
//
// Everything comes from the hub: the wall (GET /api/v1/walls/{id}), its posts, already filtered and
// moderated (GET …/posts), and its stream (GET …/stream: new posts, hidden ones, the scene to show,
// edits, a revoked kiosk link). The scene is the server's decision: this page shows the scene the
// stream names and never switches by its own clock, so every screen of a video wall switches
// together. The root carries data-wall, data-screen (N, or "all"), data-scene (0-based) and
// data-state (loading | ready | revoked | gone | error).
import { html, render } from "htm/preact";
import { useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { t } from "veille/i18n.js";
import { openStream } from "veille/live.js";
import { Widget } from "veille/widgets/index.js";
import { layout, touches } from "./canvas.js";
import { wallPosts } from "./feed.js";
import { AlertsTicker, Carousel, Clock, serverClock, WallFeed } from "./screen_widgets.js";

const root = document.getElementById("wall-screen");
const wallId = Number(root.dataset.wall);
const screen = root.dataset.screen === "all" ? null : Number(root.dataset.screen);
const kiosk = root.dataset.kiosk === "true";
const redirectOnUnauthorized = !kiosk;
const posts = wallPosts({ wallId, redirectOnUnauthorized });
const PRESET_MS = { "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000, "30d": 30 * 24 * 3_600_000 };

function useWindowSize() {
  const [size, setSize] = useState({ width: window.innerWidth, height: window.innerHeight });
  useEffect(() => {
    const onResize = () => setSize({ width: window.innerWidth, height: window.innerHeight });
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return size;
}

function usePosts() {
  const [list, setList] = useState(posts.list);
  useEffect(() => posts.subscribe(setList), []);
  return list;
}

// The analytics widgets read a fixed period that moves each minute (by the server's time) rather than
// follow the hub's whole stream: a kiosk may not read it, and the halves of a widget on two screens
// then read the same period.
function useMinute() {
  const [minute, setMinute] = useState(Math.floor(serverClock.now() / 60_000));
  useEffect(() => {
    const timer = setInterval(() => setMinute(Math.floor(serverClock.now() / 60_000)), 5_000);
    return () => clearInterval(timer);
  }, []);
  return minute;
}

function widgetFilters(filters, minute) {
  if (typeof filters.range !== "string") return filters;
  const to = (minute + 1) * 60_000;
  const from = to - (PRESET_MS[filters.range] || PRESET_MS["24h"]);
  return { ...filters, range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
}

function WallWidget({ widget, filters, wallPostsList }) {
  const props = { title: widget.title, options: widget.options || {} };
  switch (widget.type) {
    case "carousel":
      return html`<${Carousel} ...${props} posts=${wallPostsList} />`;
    case "clock":
      return html`<${Clock} ...${props} />`;
    case "alerts":
      // The hub's alerts ticker (the widget library's); a kiosk link may not read alerts.
      if (kiosk) return html`<${AlertsTicker} ...${props} />`;
      return html`<${Widget} type="alerts" ...${props} filters=${filters} drill=${false} />`;
    case "feed":
    case "top_posts":
      return html`<${WallFeed} ...${props} type=${widget.type} posts=${wallPostsList} />`;
    default:
      return html`<${Widget} type=${widget.type} ...${props} filters=${filters} drill=${false} />`;
  }
}

function Cell({ widget, geometry, children }) {
  const width = widget.w * geometry.cellW;
  const height = widget.h * geometry.cellH;
  const scale = geometry.scale;
  return html`<div
    class="wall-cell"
    data-cell=${`${widget.x},${widget.y},${widget.w},${widget.h}`}
    style=${`left:${widget.x * geometry.cellW}px;top:${widget.y * geometry.cellH}px;width:${width}px;height:${height}px`}
  >
    <div class="wall-cell__inner" style=${`width:${width / scale}px;height:${height / scale}px;transform:scale(${scale})`}>${children}</div>
  </div>`;
}

function Borders({ screens, geometry }) {
  const lines = [];
  for (let column = 1; column < screens.columns; column += 1) {
    lines.push(html`<div class="wall-border wall-border--v" style=${`left:${column * geometry.screenW}px`}></div>`);
  }
  for (let row = 1; row < screens.rows; row += 1) {
    lines.push(html`<div class="wall-border wall-border--h" style=${`top:${row * geometry.screenH}px`}></div>`);
  }
  return lines;
}

function Message({ text }) {
  return html`<div class="wall-message" role="status"><p>${text}</p></div>`;
}

function App() {
  const [wall, setWall] = useState(null);
  const [scene, setScene] = useState(null);
  const [phase, setPhase] = useState("loading");
  const [error, setError] = useState(null);
  const [status, setStatus] = useState("connecting");
  const size = useWindowSize();
  const list = usePosts();
  const minute = useMinute();

  useEffect(() => {
    let stream = null;
    let stopped = false;
    const loadWall = async () => {
      const [read, state] = await Promise.all([
        api.get(`/api/v1/walls/${wallId}`, { redirectOnUnauthorized }),
        api.get(`/api/v1/walls/${wallId}/state`, { redirectOnUnauthorized }),
      ]);
      const serverNow = Date.parse(state.now);
      if (Number.isFinite(serverNow)) serverClock.offsetMs = serverNow - Date.now();
      setWall(read);
      setScene((previous) => (previous === null ? state.scene : previous));
      await posts.reload();
    };
    const stop = (next) => {
      stopped = true;
      if (stream) stream.close();
      posts.clear();
      setPhase(next);
    };
    loadWall()
      .then(() => {
        if (stopped) return;
        setPhase("ready");
        stream = openStream({
          path: `/api/v1/walls/${wallId}/stream`,
          redirectOnUnauthorized,
          onStatus: (next) => setStatus(next),
          onReady: (ready) => ready && ready.state && setScene(ready.state.scene),
          on: {
            state: (state) => {
              root.dataset.stateAt = `${state.scene}@${Date.now()}`;
              setScene(state.scene);
            },
            post: (post) => posts.add(post),
            hide: (change) => posts.hide(change.post_id),
            wall: () => loadWall().catch(() => {}),
            revoked: () => stop("revoked"),
            gone: () => stop("gone"),
          },
        });
      })
      .catch((failure) => {
        if (failure && (failure.status === 401 || failure.status === 403) && kiosk) stop("revoked");
        else {
          setError(failure);
          setPhase("error");
        }
      });
    return () => {
      stopped = true;
      if (stream) stream.close();
    };
  }, []);

  // The root's contract, and the moment the scene changed (screens are compared on it). A layout
  // effect: it runs as the scene is drawn, not at the next animation frame.
  useLayoutEffect(() => {
    root.dataset.state = phase;
    if (scene !== null && root.dataset.scene !== String(scene)) {
      root.dataset.scene = String(scene);
      root.dataset.sceneChangedAt = String(Date.now());
    }
    root.dataset.stream = status;
  }, [phase, scene, status]);

  const geometry = wall ? layout(wall.screens, screen, size.width, size.height) : null;
  const filters = useMemo(() => (wall ? widgetFilters(wall.filters, minute) : null), [wall, minute]);

  if (phase === "revoked") return html`<${Message} text=${t("This kiosk link was revoked.")} />`;
  if (phase === "gone") return html`<${Message} text=${t("This wall was deleted.")} />`;
  if (phase === "error") return html`<${Message} text=${`${t("This wall could not be loaded:")} ${error && error.message ? error.message : ""}`} />`;
  if (!wall || scene === null) return html`<${Message} text=${t("Loading…")} />`;
  const shown = wall.scenes[Math.min(scene, wall.scenes.length - 1)];
  const widgets = shown.widgets.filter((widget) => touches(widget, wall.screens, screen));
  if (!shown.widgets.length) return html`<${Message} text=${t("This scene has no widget yet: add some in the wall's editor.")} />`;
  return html`<div
      class="wall-canvas"
      style=${`width:${geometry.screenW * wall.screens.columns}px;height:${geometry.screenH * wall.screens.rows}px;transform:translate(${geometry.offsetX}px,${geometry.offsetY}px)`}
    >
      <div class="wall-scene" key=${`${scene}-${wall.version}`} data-scene-name=${shown.name}>
        ${widgets.map(
          (widget, index) => html`<${Cell} key=${`${index}-${widget.type}`} widget=${widget} geometry=${geometry}>
            <${WallWidget} widget=${widget} filters=${filters} wallPostsList=${list} />
          </${Cell}>`,
        )}
      </div>
      ${screen ? null : html`<${Borders} screens=${wall.screens} geometry=${geometry} />`}
    </div>
    ${status === "reconnecting" || status === "offline" ? html`<p class="wall-status">${t("Reconnecting…")}</p>` : null}`;
}

render(html`<${App} />`, root);

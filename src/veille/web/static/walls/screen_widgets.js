// The widgets made for screens (carousel, clock, alerts) and the wall's own post widgets (feed,
// top_posts), which show the wall's moderated posts rather than read the analytics. Every one keeps
// the workspace's DOM contract: data-widget, data-state, and data-post-id on each post.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { formatDate, formatTime } from "veille/format.js";
import { t } from "veille/i18n.js";
import { WidgetFrame } from "veille/widgets/frame.js";
import { PostList, postFields, sentimentName, sourceLabel } from "veille/widgets/posts.js";

/** The server's time as this page best knows it (offset measured on the wall's state). */
export const serverClock = {
  offsetMs: 0,
  now() {
    return Date.now() + this.offsetMs;
  },
};

export function useTick(ms) {
  const [now, setNow] = useState(serverClock.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(serverClock.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export const SCREEN_TYPES = {
  carousel: () => t("Carousel"),
  clock: () => t("Clock"),
  alerts: () => t("Alerts"),
};

function engagement(post) {
  const fields = postFields(post);
  return fields.engagement || 0;
}

export function WallFeed({ title, posts, options, type = "feed" }) {
  const now = useTick(15_000);
  const limit = Number(options && options.limit) || (type === "top_posts" ? 5 : 8);
  const shown = type === "top_posts" ? posts.slice().sort((a, b) => engagement(b) - engagement(a)).slice(0, limit) : posts.slice(0, limit);
  const label = type === "top_posts" ? t("Top posts") : t("Live feed");
  return html`<${WidgetFrame}
    type=${type}
    title=${title || label}
    state=${shown.length ? "ready" : "empty"}
    live=${type === "feed"}
    emptyText=${t("No post yet: new ones will appear here as they arrive.")}
  >
    <${PostList} posts=${shown} now=${now} drill=${false} />
  </${WidgetFrame}>`;
}

/** One post at a time, big; every screen shows the same one at the same time (the server's time). */
export function Carousel({ title, posts, options }) {
  const periodMs = Math.max(3, Number(options && options.seconds) || 8) * 1000;
  const now = useTick(500);
  const pool = posts.slice(0, Number(options && options.limit) || 20);
  const post = pool.length ? pool[Math.floor(now / periodMs) % pool.length] : null;
  const fields = post ? postFields(post) : null;
  return html`<${WidgetFrame}
    type="carousel"
    title=${title || t("Carousel")}
    state=${post ? "ready" : "empty"}
    emptyText=${t("No post yet: new ones will appear here as they arrive.")}
  >
    ${fields
      ? html`<article class=${`carousel${fields.sentiment ? ` carousel--${fields.sentiment}` : ""}`} data-post-id=${fields.id} key=${fields.id}>
          <p class="carousel__text" dir="auto" lang=${fields.lang || undefined}>${fields.text}</p>
          <footer class="carousel__by">
            <span class="carousel__author">${fields.name || `@${fields.handle}`}</span>
            ${fields.name && fields.handle ? html`<span class="carousel__handle">@${fields.handle}</span>` : null}
            <span class="carousel__source">${sourceLabel(fields.source)}</span>
            ${fields.sentiment ? html`<span class=${`post__sentiment post__sentiment--${fields.sentiment}`}>${sentimentName(fields.sentiment)}</span>` : null}
            ${post.wall_status === "pinned" ? html`<span class="carousel__pinned">${t("Pinned")}</span>` : null}
          </footer>
        </article>`
      : null}
  </${WidgetFrame}>`;
}

export function Clock({ title, options }) {
  const now = useTick(1000);
  const timeZone = (options && options.tz) || undefined;
  return html`<${WidgetFrame} type="clock" title=${title || t("Clock")} state="ready">
    <div class="clock">
      <time class="clock__time" datetime=${new Date(now).toISOString()}>${formatTime(now, { timeZone })}</time>
      <span class="clock__date">${formatDate(now, { timeZone, weekday: "long", day: "numeric", month: "long" })}</span>
    </div>
  </${WidgetFrame}>`;
}

// What a kiosk link shows where the wall has an alerts ticker: alerts are internal, and a kiosk
// link (public screens) may not read them; the wall's other screens show the hub's ticker.
export function AlertsTicker({ title }) {
  return html`<${WidgetFrame}
    type="alerts"
    title=${title || t("Alerts")}
    state="empty"
    emptyText=${t("Alerts are not shown on screens opened through a kiosk link.")}
  ><ul class="ticker"></ul></${WidgetFrame}>`;
}

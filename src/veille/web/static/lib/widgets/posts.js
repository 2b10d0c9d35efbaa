// Posts as widgets show them (top posts, the feed, examples): author, time, text and figures. Every
// post carries data-post-id; its text is a text node, never HTML (post text is untrusted data).
import { html } from "htm/preact";
import { formatAge, formatCount, formatDateTime } from "../format.js";
import { t } from "../i18n.js";
import { countryName } from "./countries.js";
import { exploreUrl, queryValue } from "./filters.js";

const SOURCE_LABELS = {
  bluesky: "Bluesky",
  mastodon: "Mastodon",
  x: "X",
  reddit: "Reddit",
  rss: "RSS",
  hackernews: "Hacker News",
  youtube: "YouTube",
  push: "API",
  file: "File",
  simulator: "Simulator",
};

export function sourceLabel(source) {
  return Object.hasOwn(SOURCE_LABELS, source) ? SOURCE_LABELS[source] : String(source || "");
}

/**
 * One post's fields from either shape: the post record (stream, /api/v1/posts) or an analytics row
 * (top posts: author_handle, likes, …).
 */
export function postFields(post) {
  const author = post.author || {};
  const metrics = post.metrics || {};
  const sentiment = post.sentiment && typeof post.sentiment === "object" ? post.sentiment.label : post.sentiment;
  const likes = metrics.likes ?? post.likes ?? 0;
  const reposts = metrics.reposts ?? post.reposts ?? 0;
  const replies = metrics.replies ?? post.replies ?? 0;
  return {
    id: post.id,
    source: post.source,
    createdAt: post.created_at,
    handle: author.handle || post.author_handle || post.account || "",
    name: author.name || null,
    followers: author.followers ?? post.author_followers ?? post.followers ?? null,
    country: post.country || null,
    lang: post.lang || null,
    sentiment: sentiment || null,
    text: String(post.text ?? ""),
    url: post.url || null,
    likes,
    reposts,
    replies,
    engagement: post.engagement ?? likes + reposts + replies,
  };
}

/** The explorer's address for exactly one post: its author, its source and its instant, and its id. */
export function postExploreUrl(fields, filters, range) {
  const moment = Date.parse(fields.createdAt);
  const from = Number.isFinite(moment) ? new Date(moment).toISOString() : range.from;
  const to = Number.isFinite(moment) ? new Date(moment + 1).toISOString() : range.to;
  const q = fields.handle ? `author:${queryValue(String(fields.handle).replace(/^@/, ""))}` : undefined;
  return exploreUrl(filters, range, { q, from, to, sources: fields.source ? [fields.source] : undefined, post: fields.id });
}

export function PostItem({ post, filters, range, now, drill = true, fresh = false }) {
  const fields = postFields(post);
  const href = drill && filters && range ? postExploreUrl(fields, filters, range) : null;
  const who = fields.name || (fields.handle ? `@${fields.handle}` : t("unknown author"));
  const body = html`
    <span class="post__head">
      <span class="post__author">${who}</span>
      ${fields.name && fields.handle ? html`<span class="post__handle">@${fields.handle}</span>` : null}
      <span class="post__source">${sourceLabel(fields.source)}</span>
      ${fields.country ? html`<span class="post__country" title=${countryName(fields.country)}>${fields.country}</span>` : null}
      <time class="post__time" datetime=${fields.createdAt} title=${formatDateTime(fields.createdAt)}>${formatAge(fields.createdAt, now || Date.now())}</time>
    </span>
    <span class="post__text" dir="auto" lang=${fields.lang || undefined}>${fields.text}</span>
    <span class="post__figures">
      ${fields.sentiment ? html`<span class=${`post__sentiment post__sentiment--${fields.sentiment}`}>${sentimentName(fields.sentiment)}</span>` : null}
      <span class="post__figure" title=${t("Likes")}>♥ ${formatCount(fields.likes)}</span>
      <span class="post__figure" title=${t("Reposts")}>⟲ ${formatCount(fields.reposts)}</span>
      <span class="post__figure" title=${t("Replies")}>↩ ${formatCount(fields.replies)}</span>
      ${fields.followers !== null ? html`<span class="post__figure" title=${t("Followers")}>${t("{count} followers", { count: formatCount(fields.followers) })}</span>` : null}
    </span>`;
  return html`<li class=${`post${fields.sentiment ? ` post--${fields.sentiment}` : ""}${fresh ? " post--fresh" : ""}`} data-post-id=${fields.id}>
    ${href ? html`<a class="post__link" href=${href} data-explore="post">${body}</a>` : html`<div class="post__link">${body}</div>`}
  </li>`;
}

export function PostList({ posts, filters, range, now, drill = true, freshIds }) {
  return html`<ol class="posts">
    ${posts.map(
      (post) =>
        html`<${PostItem} key=${post.id} post=${post} filters=${filters} range=${range} now=${now} drill=${drill} fresh=${freshIds ? freshIds.has(post.id) : false} />`,
    )}
  </ol>`;
}

/** A sentiment label in the page's language. */
export function sentimentName(label) {
  switch (label) {
    case "positive":
      return t("Positive");
    case "neutral":
      return t("Neutral");
    case "negative":
      return t("Negative");
    default:
      return t("Not scored");
  }
}

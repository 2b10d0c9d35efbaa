// inbox: the community-management queue on a monitoring screen — how many posts to our accounts
// wait for an answer, how long the oldest has waited, how many are past their SLA, and the most
// urgent ones (author, account, priority). Read again as posts arrive (the live stream wakes it).
//
// DOM: the frame's data-widget="inbox"; figures carry data-figure="queue|oldest|breached|urgent";
// each post shown a <li data-post-id data-priority data-breached>.
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatDuration, formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { useLive, useWidgetData, WidgetFrame } from "./frame.js";

export const definition = {
  type: "inbox",
  label: () => t("Inbox"),
  size: { w: 4, h: 4 },
  defaults: { limit: 5 },
  fields: [{ name: "limit", label: () => t("Posts shown"), kind: "number", min: 0, max: 5 }],
};

export function priorityWord(level) {
  const words = { urgent: () => t("urgent"), high: () => t("high"), normal: () => t("normal"), low: () => t("low") };
  return (words[level] || (() => level))();
}

export function InboxWidget({ title, filters, options, drill = true }) {
  const limit = Math.max(0, Math.min(5, Number(options && options.limit !== undefined ? options.limit : definition.defaults.limit)));
  const data = useWidgetData({
    filters,
    options: { limit },
    load: (_range, signal) => api.get("/api/v1/inbox/summary", { signal }),
    isEmpty: (answer) => !answer || answer.queue === 0,
  });
  useLive({ filters: { ...(filters || {}), range: "24h" }, refresh: data.refresh, everyMs: 10_000 });
  const summary = data.data || {};
  const oldest = summary.oldest;
  const top = (summary.top || []).slice(0, limit);
  return html`<${WidgetFrame}
    type="inbox"
    title=${title || definition.label()}
    state=${data.status}
    error=${data.error}
    onRetry=${data.refresh}
    emptyText=${t("Inbox zero: every post has an answer.")}
    live=${true}
  >
    <div class="inbox-widget">
      <dl class="inbox-widget__figures">
        <div data-figure="queue"><dt>${t("Waiting")}</dt><dd>${formatNumber(summary.queue || 0)}</dd></div>
        <div data-figure="oldest"><dt>${t("Oldest")}</dt><dd>${oldest ? formatDuration(oldest.waiting_s) : "—"}</dd></div>
        <div data-figure="breached" class=${summary.breached ? "inbox-widget__alarm" : ""}><dt>${t("SLA breached")}</dt><dd>${formatNumber(summary.breached || 0)}</dd></div>
        <div data-figure="urgent"><dt>${t("Urgent")}</dt><dd>${formatNumber(summary.urgent || 0)}</dd></div>
      </dl>
      <ol class="inbox-widget__posts">
        ${top.map(
          (item) => html`<li
            key=${item.post_id}
            class=${`inbox-widget__post inbox-widget__post--${item.priority.level}`}
            data-post-id=${item.post_id}
            data-priority=${item.priority.level}
            data-breached=${item.sla.breached ? "true" : "false"}
          >
            <span class="inbox-widget__chip">${priorityWord(item.priority.level)}</span>
            ${drill
              ? html`<a class="inbox-widget__author" href=${`/inbox?post=${encodeURIComponent(item.post_id)}`}>@${item.post.author.handle}</a>`
              : html`<span class="inbox-widget__author">@${item.post.author.handle}</span>`}
            <span class="inbox-widget__account">→ ${item.account.account}</span>
            <span class="inbox-widget__text" dir="auto">${item.post.text}</span>
          </li>`,
        )}
      </ol>
    </div>
  </${WidgetFrame}>`;
}

definition.component = InboxWidget;

// What the crisis rooms share (an alert's, /crisis/{id}, and a topic's, /crisis/topic/{topic}): the
// words of timeline actions, the range the widgets show, the playbook checklist, the notes log, the
// timeline and the top links.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber, formatTime, webAddress } from "veille/format.js";
import { t } from "veille/i18n.js";
import { followPosts } from "veille/widgets/live_posts.js";

export const HOUR_MS = 3_600_000;

/** Load now, then again at most every 10 s while posts arrive (a room's figures follow the stream). */
export function useReloadOnPosts(load) {
  useEffect(() => {
    load();
    let timer = null;
    const stop = followPosts(() => {
      if (timer === null) timer = setTimeout(() => ((timer = null), load()), 10_000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [load]);
}

export function actionWord(action) {
  const words = {
    opened: () => t("opened"),
    escalated: () => t("escalated"),
    reminder: () => t("still going on"),
    ended: () => t("signal over"),
    notified: () => t("notified"),
    acknowledged: () => t("acknowledged"),
    assigned: () => t("assigned"),
    note: () => t("note"),
    playbook: () => t("playbook step done"),
    playbook_undone: () => t("playbook step undone"),
    resolved: () => t("resolved"),
    false_positive: () => t("false positive"),
  };
  return (words[action] || (() => action))();
}

/** The range the room shows: from an hour before ``opened_at`` to now, minute by minute (at most 2 h). */
export function roomRange(openedAt, now) {
  const from = Math.max(Date.parse(openedAt) - HOUR_MS, now - 2 * HOUR_MS + 60_000);
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString(), interval: "minute", live: true };
}

export function Playbook({ alert, onChange }) {
  if (!alert.playbook.length) return html`<p class="crisis__empty">${t("This rule has no playbook.")}</p>`;
  const tick = async (step, done) => onChange(await api.post(`/api/v1/alerts/${alert.id}/playbook`, { step, done }));
  return html`<ul class="crisis-playbook">
    ${alert.playbook.map(
      (step, index) => html`<li key=${index}>
        <label><input type="checkbox" data-step=${index} checked=${alert.checked.includes(index)} onChange=${(event) => tick(index, event.currentTarget.checked)} /> <span dir="auto">${step}</span></label>
      </li>`,
    )}
  </ul>`;
}

export function Notes({ alert, onChange }) {
  const [text, setText] = useState("");
  const notes = alert.timeline.filter((event) => event.action === "note");
  const send = async (event) => {
    event.preventDefault();
    if (!text.trim()) return;
    onChange(await api.post(`/api/v1/alerts/${alert.id}/notes`, { text: text.trim() }));
    setText("");
  };
  return html`<div class="crisis-notes">
    <ol class="crisis-notes__log">
      ${notes.map((note, index) => html`<li key=${index}><span class="crisis__when">${formatTime(note.at)}</span> <strong>${note.who}</strong> <span dir="auto">${note.text}</span></li>`)}
    </ol>
    <form class="crisis-notes__form" onSubmit=${send}>
      <input type="text" name="note" aria-label=${t("A note for the team")} placeholder=${t("A note for the team")} value=${text} onInput=${(event) => setText(event.currentTarget.value)} />
      <button type="submit" class="btn btn--small">${t("Add the note")}</button>
    </form>
  </div>`;
}

export function Timeline({ alert }) {
  return html`<ol class="crisis-timeline">
    ${[...alert.timeline].reverse().map(
      (event, index) => html`<li key=${index} data-action=${event.action}>
        <span class="crisis__when">${formatDateTime(event.at)}</span>${" "}<strong>${event.who}</strong> ${actionWord(event.action)}${event.text ? html` — <span dir="auto">${event.text}</span>` : null}
      </li>`,
    )}
  </ol>`;
}

export function TopLinks({ filters, range, version }) {
  const [links, setLinks] = useState(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get("/api/v1/analytics/top-links", { query: { from: range.from, to: range.to, topic: filters.topics, limit: 8 }, signal: controller.signal })
      .then((answer) => setLinks(answer.items || answer.rows || []))
      .catch(() => setLinks([]));
    return () => controller.abort();
  }, [version]);
  if (links === null) return html`<p class="crisis__empty">${t("Loading…")}</p>`;
  if (!links.length) return html`<p class="crisis__empty">${t("No link shared yet.")}</p>`;
  return html`<ol class="crisis-links">
    ${links.map((item, index) => {
      const text = item.link || item.key;
      // Only a web address is a link: a post may carry any string as a link (javascript:…).
      const address = webAddress(text);
      return html`<li key=${index}>${address ? html`<a href=${address} rel="noopener noreferrer" target="_blank">${text}</a>` : html`<span dir="auto">${text}</span>`} <span>${formatNumber(item.posts ?? item.count ?? 0)}</span></li>`;
    })}
  </ol>`;
}


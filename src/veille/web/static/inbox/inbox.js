// The desk (/inbox): the queue of inbound posts to our accounts (filters by status, account and
// assignee; priority and SLA chips), the selected post's conversation, and what a desk does with
// it: assign, lock, tag, answer (saved replies and holding statements with {variables}), close
// with a disposition. A platform's refusal is shown in its words. Read again as posts arrive.
//
// DOM: the root section data-screen="inbox" data-state="loading|ready|empty|error"; each queue row
// <li data-post-id data-status data-priority data-breached>; the thread's posts carry data-post-id.
// Post text is data: Preact sets it as text, never as HTML.
import { html, render } from "htm/preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatDuration, formatNumber } from "veille/format.js";
import { currentLanguage, t } from "veille/i18n.js";
import { followPosts } from "veille/widgets/live_posts.js";

const root = document.getElementById("inbox");
const ME = root.dataset.user || "";
const CAN_ANSWER = root.dataset.canAnswer === "true";
const STATUS_FILTERS = ["open", "new", "assigned", "waiting", "replied", "closed", "all"];
const DISPOSITIONS = ["resolved", "answered", "no_action", "escalated", "duplicate", "spam", "deleted"];
const VARIABLES = ["first_name", "author", "account", "brand", "agent"];

function statusWord(status) {
  const words = {
    open: () => t("Open posts"),
    all: () => t("All"),
    new: () => t("new"),
    assigned: () => t("assigned post"),
    waiting: () => t("waiting"),
    replied: () => t("replied"),
    closed: () => t("closed"),
  };
  return (words[status] || (() => status))();
}

function levelWord(level) {
  const words = { urgent: () => t("urgent"), high: () => t("high"), normal: () => t("normal"), low: () => t("low") };
  return (words[level] || (() => level))();
}

function dispositionWord(value) {
  const words = {
    resolved: () => t("problem solved"),
    answered: () => t("answered"),
    no_action: () => t("no action needed"),
    escalated: () => t("escalated to another team"),
    duplicate: () => t("duplicate"),
    spam: () => t("spam"),
    deleted: () => t("deleted by its author"),
  };
  return (words[value] || (() => value))();
}

function factorWord(factor) {
  const words = {
    influence: () => t("influence"),
    negative: () => t("negative sentiment"),
    sensitive: () => t("sensitive topic"),
    waiting: () => t("waiting time"),
  };
  return (words[factor] || (() => factor))();
}

function reasonText(reason) {
  const values = reason.values || {};
  if (reason.factor === "influence") return t("{n} followers", { n: formatNumber(values.followers) });
  if (reason.factor === "negative") return t("negative sentiment ({strength})", { strength: formatNumber(values.strength) });
  if (reason.factor === "sensitive") return (values.topics || []).join(", ");
  if (reason.factor === "waiting") {
    return t("waiting {waited} of a {sla} SLA", { waited: formatDuration(values.waited_s), sla: formatDuration(values.sla_s) });
  }
  return reason.detail;
}

function SlaChip({ sla, status, answered }) {
  if (status === "closed" && !answered) {
    return sla.breached
      ? html`<span class="inbox-chip inbox-chip--late" data-sla="breached">${t("SLA breached")}</span>`
      : html`<span class="inbox-chip inbox-chip--sla" data-sla="stopped">${t("SLA met")}</span>`;
  }
  if (sla.stopped) {
    return sla.breached
      ? html`<span class="inbox-chip inbox-chip--late" data-sla="breached">${t("answered late")}</span>`
      : html`<span class="inbox-chip inbox-chip--sla" data-sla="met">${t("answered in time")}</span>`;
  }
  if (sla.breached) {
    return html`<span class="inbox-chip inbox-chip--late" data-sla="breached" title=${formatDateTime(sla.due)}>${t("SLA breached by {time}", { time: formatDuration(-sla.remaining_s) })}</span>`;
  }
  return html`<span class="inbox-chip inbox-chip--sla" data-sla="running" title=${formatDateTime(sla.due)}>${t("due in {time}", { time: formatDuration(sla.remaining_s) })}${sla.business_hours ? ` · ${t("business hours")}` : ""}</span>`;
}

function PriorityChip({ priority }) {
  const why = priority.reasons.map((reason) => `${factorWord(reason.factor)} +${reason.points}: ${reasonText(reason)}`).join("\n");
  return html`<span class=${`inbox-chip inbox-chip--${priority.level}`} data-priority=${priority.level} title=${why}>${levelWord(priority.level)} · ${formatNumber(priority.score)}</span>`;
}

function QueueRow({ item, selected, onSelect }) {
  const post = item.post;
  return html`<li
    class=${`inbox-row inbox-row--${item.priority.level}${selected ? " inbox-row--selected" : ""}`}
    data-post-id=${item.post_id}
    data-status=${item.status}
    data-priority=${item.priority.level}
    data-breached=${item.sla.breached ? "true" : "false"}
  >
    <button type="button" class="inbox-row__open" aria-pressed=${selected ? "true" : "false"} onClick=${() => onSelect(item.post_id)}>
      <span class="inbox-row__head">
        <${PriorityChip} priority=${item.priority} />
        <${SlaChip} sla=${item.sla} status=${item.status} answered=${Boolean(item.first_response_at)} />
        <span class="inbox-row__status">${statusWord(item.status)}</span>
      </span>
      <span class="inbox-row__who"><strong>@${post.author.handle}</strong> → ${item.account.account}</span>
      <span class="inbox-row__text" dir="auto">${post.text}</span>
      <span class="inbox-row__meta">
        ${formatDateTime(post.created_at)}
        ${item.assignee || item.team ? html` · ${t("assigned to {who}", { who: [item.assignee, item.team].filter(Boolean).join(" / ") })}` : null}
        ${item.lock ? html` · <span class="inbox-row__lock">🔒 ${item.lock.holder}</span>` : null}
        ${item.tags.length ? html` · ${item.tags.map((tag) => html`<span class="inbox-tag" key=${tag}>${tag}</span>`)}` : null}
      </span>
    </button>
  </li>`;
}

function ThreadPost({ post }) {
  return html`<li class=${`inbox-thread__post${post.ours ? " inbox-thread__post--ours" : ""}${post.focus ? " inbox-thread__post--focus" : ""}`} data-post-id=${post.id} data-ours=${post.ours ? "true" : "false"}>
    <p class="inbox-thread__who"><strong>${post.author.name || post.author.handle}</strong> @${post.author.handle} · ${formatDateTime(post.created_at)}</p>
    <p class="inbox-thread__text" dir="auto">${post.text}</p>
    ${post.url ? html`<a class="inbox-thread__link" href=${post.url} target="_blank" rel="noopener noreferrer">${t("Open on the platform")}</a>` : null}
  </li>`;
}

function fillVariables(text, item) {
  const author = item.post.author;
  const name = (author.name || author.handle || "").trim();
  const values = {
    author: `@${author.handle}`,
    first_name: name ? name.split(/\s+/)[0] : author.handle,
    account: `@${item.account.handle}`,
    brand: item.account.brand,
    agent: ME,
  };
  return text.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function ReplyBox({ item, saved, onDone, setError }) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  useEffect(() => setText(""), [item.post_id]);
  const lang = item.post.lang || currentLanguage();
  const ordered = useMemo(
    () => [...saved].sort((a, b) => (a.lang === lang ? 0 : 1) - (b.lang === lang ? 0 : 1) || a.name.localeCompare(b.name)),
    [saved, lang],
  );
  const send = async () => {
    setSending(true);
    setError(null);
    try {
      await api.post(`/api/v1/inbox/${item.post_id}/reply`, { text });
      setText("");
      onDone();
    } catch (error) {
      setError(error.message);
      onDone();
    } finally {
      setSending(false);
    }
  };
  const closed = item.status === "closed";
  return html`<div class="inbox-reply">
    <div class="inbox-reply__tools">
      <label>${t("Saved replies")}
        <select data-control="saved-reply" onChange=${(event) => {
          const chosen = ordered.find((entry) => String(entry.id) === event.target.value);
          if (chosen) setText(chosen.text);
          event.target.value = "";
        }}>
          <option value="">${t("Insert a saved reply…")}</option>
          ${ordered.map((entry) => html`<option key=${entry.id} value=${entry.id}>${entry.kind === "holding" ? `${t("Holding")} · ` : ""}${entry.name} (${entry.lang})</option>`)}
        </select>
      </label>
      <span class="inbox-reply__vars">${VARIABLES.map((name) => html`<button type="button" key=${name} class="chip" data-variable=${name} onClick=${() => setText((value) => `${value}{${name}}`)}>{${name}}</button>`)}</span>
    </div>
    <textarea data-control="reply-text" rows="4" dir="auto" disabled=${closed || !CAN_ANSWER} placeholder=${t("Your answer, posted from {account}", { account: item.account.account })} value=${text} onInput=${(event) => setText(event.target.value)}></textarea>
    ${text ? html`<p class="inbox-reply__preview" data-control="preview" dir="auto"><span>${t("Preview")}:</span> ${fillVariables(text, item)}</p>` : null}
    <button type="button" class="btn btn--primary" data-action="send" disabled=${!text.trim() || sending || closed || !CAN_ANSWER} onClick=${send}>${sending ? t("Sending…") : t("Send reply")}</button>
  </div>`;
}

function Detail({ postId, saved, onChange }) {
  const [thread, setThread] = useState(null);
  const [error, setError] = useState(null);
  const [disposition, setDisposition] = useState("resolved");
  const [tagText, setTagText] = useState("");
  const load = useCallback(async () => {
    try {
      const answer = await api.get(`/api/v1/inbox/${postId}/thread`);
      setThread(answer);
      setTagText(answer.item.tags.join(", "));
    } catch (failure) {
      setError(failure.message);
    }
  }, [postId]);
  useEffect(() => {
    setThread(null);
    setError(null);
    load();
  }, [load]);
  const act = async (path, body) => {
    setError(null);
    try {
      await api.post(`/api/v1/inbox/${postId}/${path}`, body || {});
    } catch (failure) {
      setError(failure.message);
    }
    await load();
    onChange();
  };
  if (!thread) return html`<section class="inbox-detail" data-state=${error ? "error" : "loading"}>${error ? html`<p role="alert" class="inbox-error">${error}</p>` : html`<p class="admin-empty">${t("Loading…")}</p>`}</section>`;
  const item = thread.item;
  const lockedByOther = item.lock && item.lock.holder !== ME;
  const shownError = error || item.last_error;
  return html`<section class="inbox-detail" data-state="ready" data-post-id=${item.post_id} data-status=${item.status}>
    <header class="inbox-detail__head">
      <h2>@${item.post.author.handle} → ${item.account.account}</h2>
      <p class="inbox-detail__chips"><${PriorityChip} priority=${item.priority} /> <${SlaChip} sla=${item.sla} status=${item.status} answered=${Boolean(item.first_response_at)} /> <span class="inbox-row__status" data-control="status">${statusWord(item.status)}</span>${item.disposition ? html` · ${dispositionWord(item.disposition)}` : null}</p>
      <ul class="inbox-detail__why">${item.priority.reasons.map((reason) => html`<li key=${reason.factor}>${factorWord(reason.factor)} (+${reason.points}): ${reasonText(reason)}</li>`)}</ul>
    </header>
    ${shownError ? html`<p role="alert" class="inbox-error" data-control="error">${shownError}</p>` : null}
    ${lockedByOther ? html`<p class="inbox-lock" data-control="locked">${t("{who} is answering this post (locked until {when})", { who: item.lock.holder, when: formatDateTime(item.lock.until) })}</p>` : null}
    <ol class="inbox-thread">${thread.items.map((post) => html`<${ThreadPost} key=${post.id} post=${post} />`)}</ol>
    ${CAN_ANSWER
      ? html`<div class="inbox-actions">
          <button type="button" class="btn btn--small" data-action="assign-me" disabled=${item.status === "closed"} onClick=${() => act("assign", { assignee: ME })}>${t("Assign to me")}</button>
          ${item.lock && item.lock.holder === ME
            ? html`<button type="button" class="btn btn--small" data-action="unlock" onClick=${() => act("unlock")}>${t("Unlock")}</button>`
            : html`<button type="button" class="btn btn--small" data-action="lock" disabled=${item.status === "closed"} onClick=${() => act("lock")}>${t("Lock")}</button>`}
          ${item.status === "closed" || item.status === "waiting"
            ? html`<button type="button" class="btn btn--small" data-action="reopen" onClick=${() => act("status", { status: "new" })}>${t("Reopen")}</button>`
            : html`<button type="button" class="btn btn--small" data-action="waiting" onClick=${() => act("status", { status: "waiting" })}>${t("Waiting for the customer")}</button>`}
          <label class="inbox-actions__tags">${t("Tags")}
            <input data-control="tags" value=${tagText} onInput=${(event) => setTagText(event.target.value)} onChange=${() => act("tags", { tags: tagText.split(",").map((tag) => tag.trim()).filter(Boolean) })} />
          </label>
        </div>
        <${ReplyBox} item=${item} saved=${saved} onDone=${() => (load(), onChange())} setError=${setError} />
        <div class="inbox-close">
          <label>${t("Disposition")}
            <select data-control="disposition" value=${disposition} onChange=${(event) => setDisposition(event.target.value)}>
              ${DISPOSITIONS.map((value) => html`<option key=${value} value=${value}>${dispositionWord(value)}</option>`)}
            </select>
          </label>
          <button type="button" class="btn btn--small" data-action="close" disabled=${item.status === "closed"} onClick=${() => act("close", { disposition })}>${t("Close the post")}</button>
        </div>`
      : html`<p class="admin-empty">${t("Viewers read the inbox; analysts answer.")}</p>`}
    ${thread.events.length
      ? html`<details class="inbox-events"><summary>${t("History")}</summary><ol>${thread.events.map(
          (event, index) => html`<li key=${index}>${formatDateTime(event.at)} · ${event.who} · ${event.action}</li>`,
        )}</ol></details>`
      : null}
  </section>`;
}

function InboxPage() {
  const params = new URLSearchParams(window.location.search);
  const [status, setStatus] = useState("open");
  const [account, setAccount] = useState("");
  const [assignee, setAssignee] = useState("");
  const [answer, setAnswer] = useState({ state: "loading", items: [] });
  const [selected, setSelected] = useState(params.get("post"));
  const [accounts, setAccounts] = useState([]);
  const [saved, setSaved] = useState([]);
  const load = useCallback(async () => {
    const query = {};
    if (status === "open") query.status = "new,assigned,waiting";
    else if (status !== "all") query.status = status;
    if (account) query.account = account;
    if (assignee) query.assignee = assignee;
    try {
      const page = await api.get("/api/v1/inbox", { query });
      setAnswer({ state: page.items.length ? "ready" : "empty", items: page.items });
      setSelected((current) => current || (page.items[0] && page.items[0].post_id) || null);
    } catch (error) {
      setAnswer({ state: "error", items: [], error: error.message });
    }
  }, [status, account, assignee]);
  useEffect(() => {
    api.get("/api/v1/inbox/saved-replies").then((page) => setSaved(page.items), () => setSaved([]));
    api.get("/api/v1/accounts").then((page) => setAccounts(page.items.filter((item) => item.ours)), () => setAccounts([]));
  }, []);
  useEffect(() => {
    load();
    let timer = null;
    const stop = followPosts(() => {
      if (timer === null) timer = setTimeout(() => ((timer = null), load()), 5_000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [load]);
  const breached = answer.items.filter((item) => item.sla.breached && !item.sla.stopped).length;
  return html`<section class="inbox-page" data-screen="inbox" data-state=${answer.state}>
    <header class="inbox-page__head">
      <h1>${t("Inbox")}</h1>
      <p class="inbox-page__figures" data-control="figures">${t("{n} posts", { n: formatNumber(answer.items.length) })} · ${t("{n} past their SLA", { n: formatNumber(breached) })}</p>
      <div class="inbox-page__filters" role="group" aria-label=${t("Status")}>
        ${STATUS_FILTERS.map(
          (value) => html`<button type="button" key=${value} class=${`chip${value === status ? " chip--on" : ""}`} aria-pressed=${value === status ? "true" : "false"} data-filter=${value} onClick=${() => setStatus(value)}>${statusWord(value)}</button>`,
        )}
      </div>
      <label>${t("Account")}
        <select data-control="account" value=${account} onChange=${(event) => setAccount(event.target.value)}>
          <option value="">${t("All our accounts")}</option>
          ${accounts.map((item) => html`<option key=${item.id} value=${item.id}>${item.account}</option>`)}
        </select>
      </label>
      <label>${t("Assignee")}
        <select data-control="assignee" value=${assignee} onChange=${(event) => setAssignee(event.target.value)}>
          <option value="">${t("Anyone")}</option>
          <option value="me">${t("Me")}</option>
          <option value="none">${t("Nobody")}</option>
        </select>
      </label>
    </header>
    <div class="inbox-page__body">
      <div class="inbox-queue">
        ${answer.state === "loading" ? html`<p class="admin-empty">${t("Loading…")}</p>` : null}
        ${answer.state === "empty" ? html`<p class="admin-empty">${t("No post waits here.")}</p>` : null}
        ${answer.state === "error" ? html`<p class="admin-empty" role="alert">${answer.error}</p>` : null}
        <ol class="inbox-list">${answer.items.map((item) => html`<${QueueRow} key=${item.post_id} item=${item} selected=${item.post_id === selected} onSelect=${setSelected} />`)}</ol>
      </div>
      ${selected ? html`<${Detail} key=${selected} postId=${selected} saved=${saved} onChange=${load} />` : html`<section class="inbox-detail"><p class="admin-empty">${t("Choose a post in the queue.")}</p></section>`}
    </div>
  </section>`;
}

render(html`<${InboxPage} />`, root);

// /briefs/{id}: one brief: what people ask, the audiences, who influences the conversation, what
// performed best for the topic, and our content linked to it with its figures against our usual
// ones after a day and a week, and whether the questions slowed down. Analysts change the title,
// status and notes, link content (by URL or post id), export (Markdown, PDF) or delete.
// Root: data-panel="brief" data-state="loading|ready|error"; each question carries data-post-id.
import { html } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber, formatPercent } from "veille/format.js";
import { t } from "veille/i18n.js";
import { mountPage, PageHead } from "./common.js";

const STATUSES = ["draft", "commissioned", "published", "archived"];

function statusName(status) {
  return { draft: t("Draft"), commissioned: t("Commissioned"), published: t("Published"), archived: t("Archived") }[status] || status;
}

function formatName(format) {
  return { text: t("Text"), link: t("Link"), image: t("Image"), video: t("Video") }[format] || format;
}

function number(value, digits = 1) {
  return value === null || value === undefined ? "—" : formatNumber(value, { maximumFractionDigits: digits });
}

function Section({ name, title, children }) {
  return html`<section class="brief-section" data-section=${name}><h2>${title}</h2>${children}</section>`;
}

function Shares({ entries, keyName, label }) {
  return html`<table class="brief-table">
    <thead><tr><th>${label}</th><th class="n">${t("Questions")}</th><th class="n">%</th></tr></thead>
    <tbody>${entries.map((entry) => html`<tr key=${entry[keyName]}><td>${entry[keyName]}</td><td class="n">${formatNumber(entry.questions)}</td><td class="n">${formatPercent(entry.share, { maximumFractionDigits: 0 })}</td></tr>`)}</tbody>
  </table>`;
}

function Performance({ rows, keyName, label, show }) {
  if (!rows.length) return html`<p class="brief-empty">${t("No post of ours on this topic in the last 90 days.")}</p>`;
  return html`<table class="brief-table">
    <thead><tr><th>${label}</th><th class="n">${t("Posts")}</th><th class="n">${t("Engagement rate")}</th><th class="n">${t("Mean engagement")}</th></tr></thead>
    <tbody>${rows.map((row) => html`<tr key=${row[keyName]} data-row=${row[keyName]}><td>${show(row[keyName])}</td><td class="n">${formatNumber(row.posts)}</td><td class="n">${row.engagement_rate === null ? "—" : formatPercent(row.engagement_rate, { maximumFractionDigits: 2 })}</td><td class="n">${number(row.engagement_mean)}</td></tr>`)}</tbody>
  </table>`;
}

function Ratio({ value }) {
  if (value === null || value === undefined) return html`<span class="brief-ratio">—</span>`;
  return html`<span class=${`brief-ratio ${value >= 1 ? "brief-ratio--up" : "brief-ratio--down"}`}>× ${formatNumber(value, { maximumFractionDigits: 2 })}</span>`;
}

function LinkFigures({ link, onUnlink }) {
  if (link.missing) {
    return html`<li class="brief-link" data-post-id=${link.post_id}>${link.post_id} — ${t("no longer stored")}</li>`;
  }
  const asked = link.questions;
  return html`<li class="brief-link" data-post-id=${link.post_id}>
    <div class="brief-link__head">
      ${link.url ? html`<a href=${link.url} rel="noopener noreferrer" target="_blank">${link.url}</a>` : html`<span>${link.post_id}</span>`}
      <span class="brief-link__meta">${formatName(link.format)} · ${formatDateTime(link.published_at)}</span>
      ${onUnlink ? html`<button type="button" class="btn btn--ghost btn--small" onClick=${() => onUnlink(link.post_id)}>${t("Unlink")}</button>` : null}
    </div>
    <p class="brief-link__text" dir="auto">${link.text}</p>
    <table class="brief-table">
      <thead><tr><th></th><th class="n">${t("This post")}</th><th class="n">${t("Usual for the topic and format")}</th><th class="n">${t("Ratio")}</th></tr></thead>
      <tbody>
        <tr data-window="day"><td>${t("Interactions after a day")}${link.day.complete ? "" : ` (${t("running")})`}</td><td class="n">${formatNumber(link.day.interactions)}</td><td class="n">${number(link.day.usual)}</td><td class="n"><${Ratio} value=${link.day.ratio} /></td></tr>
        <tr data-window="week"><td>${t("Interactions after a week")}${link.week.complete ? "" : ` (${t("running")})`}</td><td class="n">${formatNumber(link.week.interactions)}</td><td class="n">${number(link.week.usual)}</td><td class="n"><${Ratio} value=${link.week.ratio} /></td></tr>
        <tr data-window="total"><td>${t("Engagement now")}</td><td class="n">${formatNumber(link.totals.engagement)}</td><td class="n">${number(link.totals.usual_engagement)}</td><td class="n"><${Ratio} value=${link.totals.engagement_ratio} /></td></tr>
      </tbody>
    </table>
    <p class="brief-link__questions" data-slowed=${asked.slowed ? "true" : "false"}>
      ${asked.before === null
        ? t("Too early to compare the questions.")
        : t("Questions on the sub-topic: {before} in the {days} days before, {after} after.", { before: formatNumber(asked.before), after: formatNumber(asked.after), days: formatNumber(asked.window_days, { maximumFractionDigits: 1 }) })}
      ${asked.slowed ? html` <strong>${t("The questions slowed down.")}</strong>` : null}
    </p>
  </li>`;
}

function BriefPage({ root }) {
  const briefId = root.dataset.briefId;
  const [state, setState] = useState({ status: "loading", brief: null, error: null });
  const [draft, setDraft] = useState(null);
  const [message, setMessage] = useState(null);
  const [linkValue, setLinkValue] = useState("");
  const load = useCallback(async () => {
    try {
      const brief = await api.get(`/api/v1/editorial/briefs/${briefId}`);
      setState({ status: "ready", brief, error: null });
      setDraft({ title: brief.title, status: brief.status, notes: brief.notes });
    } catch (error) {
      setState({ status: "error", brief: null, error });
    }
  }, [briefId]);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (work, done) => {
    setMessage(null);
    try {
      const answer = await work();
      if (answer && answer.id) setState({ status: "ready", brief: answer, error: null });
      if (done) done(answer);
    } catch (error) {
      setMessage(error.message || String(error));
    }
  };
  const brief = state.brief;
  if (state.status !== "ready") {
    return html`<div class="editorial-page" data-panel="brief" data-state=${state.status}>
      ${state.status === "loading" ? html`<p class="admin-empty" role="status">${t("Loading…")}</p>` : html`<p class="admin-empty" role="alert">${state.error && state.error.message}</p>`}
    </div>`;
  }
  const save = (event) => {
    event.preventDefault();
    act(() => api.put(`/api/v1/editorial/briefs/${briefId}`, draft), () => setMessage(t("Saved.")));
  };
  const link = (event) => {
    event.preventDefault();
    const value = linkValue.trim();
    if (!value) return;
    const body = /^https?:\/\//i.test(value) ? { url: value } : { post_id: value };
    act(() => api.post(`/api/v1/editorial/briefs/${briefId}/links`, body), () => setLinkValue(""));
  };
  const unlink = (postId) => act(() => api.delete(`/api/v1/editorial/briefs/${briefId}/links/${encodeURIComponent(postId)}`), () => load());
  const remove = () => {
    if (!window.confirm(t("Delete this brief?"))) return;
    act(() => api.delete(`/api/v1/editorial/briefs/${briefId}`), () => window.location.assign("/briefs"));
  };
  const demand = brief.demand;
  const radarHref = "/radar?topic=" + encodeURIComponent(brief.topic);
  return html`<div class="editorial-page" data-panel="brief" data-state="ready" data-brief-id=${brief.id}>
    <${PageHead} title=${brief.title} subtitle=${`${t("Topic")}: ${brief.topic} · ${t("Sub-topic")}: ${brief.subtopic} · ${formatDateTime(brief.from)} → ${formatDateTime(brief.to)}`}>
      <a class="btn btn--ghost btn--small" href=${`/api/v1/editorial/briefs/${brief.id}.md`} data-export="md">${t("Markdown")}</a>
      <a class="btn btn--ghost btn--small" href=${`/api/v1/editorial/briefs/${brief.id}.pdf`} data-export="pdf">${t("PDF")}</a>
      <a class="btn btn--ghost btn--small" href=${radarHref}>${t("Back to the radar")}</a>
    </${PageHead}>
    ${message ? html`<p class="editorial-message" role="status">${message}</p>` : null}
    <div class="brief-grid">
      <${Section} name="demand" title=${t("Demand")}>
        <ul class="radar-item__terms">${brief.terms.map((term) => html`<li class="radar-term" key=${term}>${term}</li>`)}</ul>
        <p class="brief-figures">
          <span><strong>${formatNumber(demand.questions)}</strong> ${t("questions in the period")}</span>
          <span><strong>${number(demand.previous_questions, 0)}</strong> ${t("in the period before")}</span>
          <span><strong>× ${number(demand.growth)}</strong> ${t("growth")}</span>
          <span><strong>${formatNumber(demand.engagement)}</strong> ${t("interactions")}</span>
        </p>
      </${Section}>
      <${Section} name="edit" title=${t("Brief")}>
        <form class="brief-form" onSubmit=${save}>
          <label><span>${t("Title")}</span><input name="title" required maxlength="200" value=${draft.title} onInput=${(event) => setDraft({ ...draft, title: event.currentTarget.value })} /></label>
          <label><span>${t("Status")}</span><select name="status" value=${draft.status} onChange=${(event) => setDraft({ ...draft, status: event.currentTarget.value })}>
            ${STATUSES.map((status) => html`<option value=${status} key=${status}>${statusName(status)}</option>`)}
          </select></label>
          <label><span>${t("Notes")}</span><textarea name="notes" rows="4" maxlength="20000" value=${draft.notes} onInput=${(event) => setDraft({ ...draft, notes: event.currentTarget.value })}></textarea></label>
          <div class="brief-form__actions">
            <button type="submit" class="btn btn--small">${t("Save")}</button>
            <button type="button" class="btn btn--ghost btn--small" onClick=${remove}>${t("Delete")}</button>
          </div>
        </form>
      </${Section}>
      <${Section} name="questions" title=${t("What people ask")}>
        ${brief.questions.length
          ? html`<ul class="radar-item__questions">${brief.questions.map((question) => html`<li class="radar-question" key=${question.id} data-post-id=${question.id}>
              <span class="radar-question__text" dir="auto">${question.text}</span>
              <span class="radar-question__meta">${[question.country, question.lang, question.source].filter(Boolean).join(" · ")}</span>
            </li>`)}</ul>`
          : html`<p class="brief-empty">${t("No question matched the key terms in the period.")}</p>`}
      </${Section}>
      <${Section} name="audiences" title=${t("Audiences")}>
        <div class="brief-columns">
          <${Shares} entries=${brief.countries} keyName="country" label=${t("Country")} />
          <${Shares} entries=${brief.languages} keyName="language" label=${t("Language")} />
        </div>
      </${Section}>
      <${Section} name="influencers" title=${t("Who influences the conversation")}>
        <ul class="brief-people">${brief.influencers.map((person) => html`<li key=${`${person.source}:${person.handle}`} data-author=${person.handle}>
          <span class="brief-people__name">${person.name || `@${person.handle}`}</span>
          <span class="brief-people__meta">@${person.handle} · ${person.source} · ${t("score")} ${number(person.score, 0)}</span>
          ${person.on_subtopic ? html`<span class="radar-term">${t("asked on this sub-topic")}</span>` : null}
        </li>`)}</ul>
      </${Section}>
      <${Section} name="performance" title=${t("What performed best for this topic")}>
        <${Performance} rows=${brief.formats} keyName="format" label=${t("Format")} show=${formatName} />
        <${Performance} rows=${brief.hours} keyName="hour" label=${`${t("Hour")} (${brief.tz})`} show=${(hour) => `${hour}:00`} />
      </${Section}>
      <${Section} name="links" title=${t("Our content on it")}>
        <form class="brief-form brief-form--inline" onSubmit=${link}>
          <label><span>${t("Link a post of ours (URL or post id)")}</span><input name="link" value=${linkValue} onInput=${(event) => setLinkValue(event.currentTarget.value)} /></label>
          <button type="submit" class="btn btn--small">${t("Link it")}</button>
        </form>
        ${brief.links.length
          ? html`<ul class="brief-links">${brief.links.map((entry) => html`<${LinkFigures} key=${entry.post_id} link=${entry} onUnlink=${unlink} />`)}</ul>`
          : html`<p class="brief-empty">${t("No content linked yet: once published, link it here to see how it performed and whether the questions slowed down.")}</p>`}
      </${Section}>
    </div>
  </div>`;
}

mountPage(BriefPage);

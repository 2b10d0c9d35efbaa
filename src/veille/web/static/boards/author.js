// /influencers/{author}: one author's page — profile, influence (rank and score among the authors of
// the period), category, country, topics, activity over the period and recent posts. Reads
// /api/v1/analytics/authors/{handle} (404 in words when the author has no post in scope).
import { html } from "htm/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatCount, formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { Chart } from "veille/widgets/chart.js";
import { countryName } from "veille/widgets/countries.js";
import { analyticsQuery, exploreUrl, filtersKey, queryValue } from "veille/widgets/filters.js";
import { resolveRange } from "veille/widgets/index.js";
import { categoryName } from "veille/widgets/influencers.js";
import { PostList, sourceLabel } from "veille/widgets/posts.js";
import { bucketLabel, bucketTitle } from "veille/widgets/series.js";
import { Board, Cell, filtersQuery, mountBoard, Panel, topicLabel, useBoardFilters } from "./board.js";

const RANKED = 1000;

async function loadAuthor(handle, platform, filters, range) {
  const query = analyticsQuery(filters, range, { platform: platform || null, posts_limit: 20 });
  const [page, ranking] = await Promise.all([
    api.get(`/api/v1/analytics/authors/${encodeURIComponent(handle)}`, { query }),
    api.get("/api/v1/analytics/influencers", { query: analyticsQuery(filters, range, { limit: RANKED }) }).catch(() => ({ rows: [] })),
  ]);
  const index = ranking.rows.findIndex((row) => row.handle === page.author.handle && row.source === page.author.source);
  return { ...page, rank: index >= 0 ? index + 1 : null, ranked: ranking.rows.length, score: index >= 0 ? ranking.rows[index].score : null };
}

function Profile({ author, rank, ranked, score }) {
  const country = author.curated_country || null;
  const initial = (author.name || author.handle || "?").trim().charAt(0).toUpperCase();
  return html`<div class="profile" data-author=${author.handle} data-category=${author.category}>
    <span class="profile__avatar" aria-hidden="true">${initial}</span>
    <div>
      <p class="profile__name">${author.name || `@${author.handle}`}${author.verified ? html` <span title=${t("Verified")}>✓</span>` : null}</p>
      <p class="profile__handle">@${author.handle} · ${sourceLabel(author.source)}</p>
      ${author.bio ? html`<p class="profile__bio" dir="auto">${author.bio}</p>` : null}
      <dl class="figures">
        <div data-figure="category"><dt>${t("Category")}</dt><dd>${categoryName(author.category)}</dd></div>
        <div data-figure="country"><dt>${t("Country")}</dt><dd>${country ? countryName(country) : author.location || "—"}</dd></div>
        <div data-figure="followers"><dt>${t("Followers")}</dt><dd>${formatCount(author.followers)}</dd></div>
        <div data-figure="posts"><dt>${t("Posts")}</dt><dd>${formatNumber(author.posts)}</dd></div>
        <div data-figure="engagement"><dt>${t("Engagement received")}</dt><dd>${formatCount(author.engagement)}</dd></div>
        <div data-figure="influence"><dt>${t("Influence")}</dt><dd>${rank ? t("#{rank} of {count}", { rank: formatNumber(rank), count: formatNumber(ranked) }) : "—"}</dd></div>
        <div data-figure="score"><dt>${t("Score")}</dt><dd>${score === null ? "—" : formatNumber(score, { maximumFractionDigits: 0 })}</dd></div>
      </dl>
    </div>
  </div>`;
}

function Activity({ series, interval, timeZone }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: "axis", formatter: (items) => `${bucketTitle(series[items[0].dataIndex].bucket, interval, timeZone)}<br>${items.map((item) => `${item.seriesName}: ${formatNumber(item.value)}`).join("<br>")}` },
      legend: { top: 0 },
      grid: { top: 32 },
      xAxis: { type: "category", data: series.map((row) => bucketLabel(row.bucket, interval, timeZone)) },
      yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: t("Posts"), type: "bar", data: series.map((row) => row.posts), barMaxWidth: 18 },
        { name: t("Engagement received"), type: "line", yAxisIndex: 1, smooth: true, data: series.map((row) => row.engagement) },
      ],
    }),
    [series, interval, timeZone],
  );
  return html`<${Chart} option=${option} label=${t("Activity")} />`;
}

function AuthorBoard({ author: handle }) {
  const { filters, topics, setFilters } = useBoardFilters({ range: "30d" });
  const platform = new URLSearchParams(window.location.search).get("platform");
  const range = useMemo(() => resolveRange(filters), [filtersKey(filters)]);
  const [loaded, setLoaded] = useState({ state: "loading", data: null, error: null });
  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: "loading", data: null, error: null });
    loadAuthor(handle, platform, filters, range).then(
      (data) => {
        if (cancelled) return;
        setLoaded({ state: "ready", data, error: null });
        document.title = `${data.author.name || `@${data.author.handle}`} — Veille`;
      },
      (error) => !cancelled && setLoaded({ state: "error", data: null, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [filtersKey(filters), handle, platform]);
  const data = loaded.data;
  const author = data ? data.author : null;
  const state = (rows) => (loaded.state !== "ready" ? loaded.state : rows.length ? "ready" : "empty");
  const crumb = html`<a href=${`/influencers?${filtersQuery(filters)}`}>${t("Influencers")}</a>`;
  const explore = author ? exploreUrl(filters, range, { q: `author:${queryValue(author.handle)}`, sources: [author.source] }) : null;
  return html`<${Board}
    name="author"
    title=${author ? author.name || `@${author.handle}` : `@${handle}`}
    crumb=${crumb}
    filters=${filters}
    topics=${topics}
    onFilters=${setFilters}
    actions=${explore ? html`<a class="btn" href=${explore} data-explore="author">${t("Every post in the explorer")}</a>` : null}
  >
    <${Cell} span=${12} rows=${0} name="profile">
      <${Panel} name="profile" title=${t("Profile")} state=${loaded.state} error=${loaded.error}>${data ? html`<${Profile} ...${data} />` : null}</${Panel}>
    </${Cell}>
    <${Cell} span=${8} rows=${4} name="activity">
      <${Panel} name="activity" title=${t("Activity")} state=${state(data ? data.series.rows : [])} error=${loaded.error}>
        ${data ? html`<${Activity} series=${data.series.rows} interval=${range.interval} timeZone=${filters.tz} />` : null}
      </${Panel}>
    </${Cell}>
    <${Cell} span=${4} rows=${4} name="topics">
      <${Panel} name="author-topics" title=${t("Topics")} state=${state(data ? data.topics.rows : [])} error=${loaded.error} emptyText=${t("None of this author's posts matched a topic in this period.")}>
        ${data
          ? html`<ul class="chip-row">${data.topics.rows.map(
              (row) => html`<li key=${row.topic}><a class="chip" data-topic=${row.topic} href=${exploreUrl(filters, range, { q: `author:${queryValue(author.handle)}`, topics: [row.topic], sources: [author.source] })}>${topicLabel(topics, row.topic)} <b>${formatNumber(row.posts)}</b></a></li>`,
            )}</ul>`
          : null}
      </${Panel}>
    </${Cell}>
    <${Cell} span=${12} rows=${0} name="posts">
      <${Panel} name="author-posts" title=${t("Recent posts")} state=${state(data ? data.posts.rows : [])} error=${loaded.error}>
        ${data ? html`<${PostList} posts=${data.posts.rows.map((row) => ({ ...row, author: { handle: author.handle, name: author.name, followers: author.followers } }))} filters=${filters} range=${range} />` : null}
      </${Panel}>
    </${Cell}>
  </${Board}>`;
}

mountBoard(AuthorBoard);

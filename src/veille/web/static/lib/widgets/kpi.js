// kpi: one figure, big, with its change against the previous period of the same length: posts,
// engagement, reach, net sentiment, or our response rate. Posts, engagement and reach tick as
// posts arrive (and are read again from the rollups at most every 30 s). Click: the posts counted.
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatCount, formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { brandAccounts, addressedTo } from "./accounts.js";
import { analyticsQuery, exploreUrl, normaliseFilters } from "./filters.js";
import { zonedToInstant } from "./feed.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { formatNet } from "./sentiment.js";

const METRICS = ["posts", "engagement", "reach", "net_sentiment", "response_rate"];
const TICKING = new Set(["posts", "engagement", "reach"]);
const FRESH_MS = 10 * 60_000;

export function metricName(metric) {
  return (
    {
      posts: t("Posts"),
      engagement: t("Engagement"),
      reach: t("Reach"),
      net_sentiment: t("Net sentiment"),
      response_rate: t("Our response rate"),
    }[metric] || metric
  );
}

export const definition = {
  type: "kpi",
  label: () => t("Key figure"),
  size: { w: 3, h: 2 },
  defaults: { metric: "posts" },
  fields: [{ name: "metric", label: () => t("Figure"), choices: METRICS, choiceLabel: metricName }],
};

function instant(moment, zone) {
  return /[zZ]$|[+-]\d\d:\d\d$/.test(moment) ? new Date(Date.parse(moment)).toISOString() : zonedToInstant(moment, zone);
}

/** The range and the one before it, of the same length, as instants. */
function periods(range, zone) {
  const from = instant(range.from, zone);
  const to = instant(range.to, zone);
  const span = Date.parse(to) - Date.parse(from);
  return { current: { from, to }, previous: { from: new Date(Date.parse(from) - span).toISOString(), to: from } };
}

async function loadFigure(metric, filters, range, signal) {
  const zone = normaliseFilters(filters).tz;
  const { current, previous } = periods(range, zone);
  const interval = "day";
  if (metric === "net_sentiment") {
    const read = (period) =>
      api.get("/api/v1/analytics/sentiment", { query: analyticsQuery(filters, { ...period, interval }), signal });
    const [now, before] = await Promise.all([read(current), read(previous)]);
    return { metric, value: now.net_sentiment, previous: before.net_sentiment, range: current };
  }
  if (metric === "response_rate") {
    const chosen = normaliseFilters(filters);
    const read = (period) =>
      api.get("/api/v1/analytics/care", {
        query: {
          ...period,
          tz: chosen.tz,
          group_by: "brand",
          topic: chosen.topics.length ? chosen.topics : null,
          country: chosen.countries.length ? chosen.countries : null,
          source: chosen.sources.length ? chosen.sources : null,
        },
        signal,
      });
    const [report, accounts] = await Promise.all([read(current), brandAccounts().catch(() => [])]);
    const ours = report.items.filter((row) => row.ours);
    const rate = (figures) => {
      const inbound = figures.reduce((sum, row) => sum + (row.inbound || 0), 0);
      const responded = figures.reduce((sum, row) => sum + (row.responded || 0), 0);
      return inbound ? responded / inbound : null;
    };
    return {
      metric,
      value: rate(ours),
      previous: rate(ours.map((row) => row.previous || {})),
      range: current,
      accounts: accounts.filter((account) => account.ours),
    };
  }
  const read = (period) => api.get("/api/v1/analytics/volume", { query: analyticsQuery(filters, { ...period, interval }), signal });
  const [now, before] = await Promise.all([read(current), read(previous)]);
  const total = (answer) => (answer.totals ? answer.totals[metric] : answer.rows.reduce((sum, row) => sum + (row[metric] || 0), 0));
  return { metric, value: total(now), previous: total(before), range: current };
}

function formatFigure(metric, value) {
  if (metric === "net_sentiment") return formatNet(value);
  if (metric === "response_rate") return formatPercent(value, { maximumFractionDigits: 0 });
  return value !== null && value !== undefined && value >= 100_000 ? formatCount(value) : formatNumber(value);
}

function Change({ metric, value, previous }) {
  if (value === null || value === undefined) return null;
  if (previous === null || previous === undefined) {
    return html`<span class="kpi__change kpi__change--flat">${t("nothing in the previous period")}</span>`;
  }
  let text;
  let direction;
  if (metric === "net_sentiment" || metric === "response_rate") {
    const points = Math.round((value - previous) * 100);
    direction = points > 0 ? "up" : points < 0 ? "down" : "flat";
    text = t("{points} pts", { points: `${points > 0 ? "+" : points < 0 ? "−" : ""}${formatNumber(Math.abs(points))}` });
  } else {
    if (!previous) return html`<span class="kpi__change kpi__change--flat">${t("nothing in the previous period")}</span>`;
    const ratio = (value - previous) / previous;
    direction = ratio > 0.005 ? "up" : ratio < -0.005 ? "down" : "flat";
    text = `${ratio > 0 ? "+" : ratio < 0 ? "−" : ""}${formatPercent(Math.abs(ratio), { maximumFractionDigits: 0 })}`;
  }
  return html`<span class=${`kpi__change kpi__change--${direction}`}>
    ${direction === "up" ? "▲ " : direction === "down" ? "▼ " : ""}${text} <span class="kpi__vs">${t("vs previous period")}</span>
  </span>`;
}

export function KpiWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const metric = METRICS.includes(options.metric) ? options.metric : "posts";
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) => loadFigure(metric, filters, range, signal),
    isEmpty: () => false,
  });
  useLive({
    filters,
    refresh: loaded.refresh,
    onPost: TICKING.has(metric)
      ? (post, { repeat }) => {
          const created = Date.parse(post.created_at);
          if (repeat || !(created >= Date.now() - FRESH_MS)) return;
          const metrics = post.metrics || {};
          const amount =
            metric === "posts"
              ? 1
              : metric === "engagement"
                ? (metrics.likes || 0) + (metrics.reposts || 0) + (metrics.replies || 0)
                : (post.author && post.author.followers) || 0;
          loaded.update((data) => ({ ...data, value: (data.value || 0) + amount }));
        }
      : null,
  });
  const data = loaded.data;
  let href = null;
  if (drill && data) {
    if (metric === "response_rate") {
      const narrowing = addressedTo(data.accounts || []);
      href = narrowing.q ? exploreUrl(filters, data.range, narrowing) : null;
    } else {
      href = exploreUrl(filters, data.range);
    }
  }
  const figure = data ? formatFigure(metric, data.value) : "";
  return html`<${WidgetFrame}
    type="kpi"
    title=${title || metricName(metric)}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    live=${TICKING.has(metric)}
    csv=${() => data && { columns: ["metric", "value", "previous", "from", "to"], rows: [{ metric, value: data.value, previous: data.previous, ...data.range }] }}
  >
    ${data
      ? html`<div class="kpi">
          ${href
            ? html`<a class="kpi__value" href=${href} data-explore="kpi" data-value=${data.value ?? ""}>${figure}</a>`
            : html`<span class="kpi__value" data-value=${data.value ?? ""}>${figure}</span>`}
          <${Change} metric=${metric} value=${data.value} previous=${data.previous} />
        </div>`
      : null}
  </${WidgetFrame}>`;
}

definition.component = KpiWidget;

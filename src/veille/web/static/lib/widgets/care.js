// care: customer care of our accounts and competitors' (docs/care.md): inbound posts, response
// rate, median and 90th-percentile response time, share answered within the SLA, and the trend
// against the previous period, per account, brand or brand in each country. A row opens the posts
// addressed to those accounts (mentioning them).
import { html } from "htm/preact";
import { api } from "../api.js";
import { formatDuration, formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n.js";
import { accountsOf } from "./care_rows.js";
import { countryName } from "./countries.js";
import { exploreUrl, normaliseFilters } from "./filters.js";
import { brandAccounts, addressedTo } from "./accounts.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { sourceLabel } from "./posts.js";
import { Table } from "./table.js";

const GROUPS = ["account", "brand", "country"];

export const definition = {
  type: "care",
  label: () => t("Customer care"),
  size: { w: 8, h: 5 },
  defaults: { group_by: "brand", business_hours: false, sla_s: 3600 },
  fields: [
    {
      name: "group_by",
      label: () => t("One row per"),
      choices: GROUPS,
      choiceLabel: (value) => ({ account: t("Account"), brand: t("Brand"), country: t("Brand and country") })[value],
    },
    {
      name: "business_hours",
      label: () => t("Times"),
      choices: [false, true],
      choiceLabel: (value) => (value ? t("Business hours only") : t("Around the clock")),
    },
    { name: "sla_s", label: () => t("Answer within"), choices: [900, 1800, 3600, 14_400, 86_400], choiceLabel: (value) => formatDuration(value) },
  ],
};

const TREND_GOOD = { response_rate: "up", within_sla: "up", median_s: "down", p90_s: "down" };

function Trend({ row, figure }) {
  const direction = row.trend && row.trend[figure];
  if (!direction || direction === "flat") return null;
  const good = TREND_GOOD[figure] === direction;
  const words = direction === "up" ? t("up on the previous period") : t("down on the previous period");
  return html`<span class=${`trend trend--${good ? "good" : "bad"}`} title=${words} aria-label=${words}>${direction === "up" ? "▲" : "▼"}</span>`;
}

function careQuery(filters, range, options) {
  const chosen = normaliseFilters(filters);
  return {
    from: range.from,
    to: range.to,
    tz: chosen.tz,
    group_by: GROUPS.includes(options.group_by) ? options.group_by : "brand",
    business_hours: options.business_hours ? "true" : null,
    sla_s: options.sla_s,
    topic: chosen.topics.length ? chosen.topics : null,
    country: chosen.countries.length ? chosen.countries : null,
    source: chosen.sources.length ? chosen.sources : null,
  };
}

export function CareWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: async (range, signal) => {
      const [report, accounts] = await Promise.all([
        api.get("/api/v1/analytics/care", { query: careQuery(filters, range, options), signal }),
        brandAccounts().catch(() => []),
      ]);
      return { ...report, accounts };
    },
    isEmpty: (data) => data.items.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 60_000 });

  const data = loaded.data;
  const group = data ? data.group_by : options.group_by;
  const range = data ? { from: data.from, to: data.to } : null;
  const label = (row) => {
    if (group === "account") return html`<span class="cell-author"><span class="cell-author__name">@${row.handle}</span><span class="cell-author__handle">${row.brand}${row.country ? ` · ${row.country}` : ""} · ${sourceLabel(row.platform)}</span></span>`;
    if (group === "country") return html`<span class="cell-author"><span class="cell-author__name">${row.brand}</span><span class="cell-author__handle">${row.country ? countryName(row.country) : t("Global accounts")}</span></span>`;
    return html`<span class="cell-author"><span class="cell-author__name">${row.brand}</span>${row.ours ? html`<span class="cell-author__handle">${t("Our brand")}</span>` : null}</span>`;
  };
  const columns = [
    { key: "label", label: group === "account" ? t("Account") : t("Brand"), render: label },
    { key: "inbound", label: t("Inbound"), numeric: true, render: (row) => formatNumber(row.inbound) },
    {
      key: "response_rate",
      label: t("Answered"),
      numeric: true,
      render: (row) => html`${formatPercent(row.response_rate, { maximumFractionDigits: 0 })} <${Trend} row=${row} figure="response_rate" />`,
    },
    { key: "median_s", label: t("Median time"), numeric: true, render: (row) => html`${formatDuration(row.median_s)} <${Trend} row=${row} figure="median_s" />` },
    { key: "p90_s", label: t("90th percentile"), numeric: true, render: (row) => formatDuration(row.p90_s) },
    {
      key: "within_sla",
      label: t("Within SLA"),
      numeric: true,
      render: (row) => html`${formatPercent(row.within_sla, { maximumFractionDigits: 0 })} <${Trend} row=${row} figure="within_sla" />`,
    },
  ];
  const rows = data ? data.items.slice().sort((a, b) => (b.ours === true) - (a.ours === true) || (b.inbound || 0) - (a.inbound || 0)) : [];
  return html`<${WidgetFrame}
    type="care"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    emptyText=${t("No brand account is registered: add them on the accounts page or with veille accounts import.")}
    subtitle=${data ? `${options.business_hours ? t("Business hours only") : t("Around the clock")} · ${t("SLA {duration}", { duration: formatDuration(data.sla_s) })}` : null}
    csv=${() =>
      data && {
        columns: ["account", "brand", "country", "inbound", "responded", "response_rate", "median_s", "mean_s", "p90_s", "within_sla"],
        rows: data.items,
      }}
  >
    ${data
      ? html`<${Table}
          columns=${columns}
          rows=${rows}
          rowKey=${(row) => row.account || `${row.brand}|${row.country || ""}`}
          rowAttributes=${(row) => ({ "data-brand": row.brand, "data-ours": row.ours ? "true" : "false" })}
          rowHref=${drill
            ? (row) => {
                const narrowing = addressedTo(accountsOf(row, group, data.accounts));
                return narrowing.q ? exploreUrl(filters, range, narrowing) : null;
              }
            : null}
        />`
      : null}
  </${WidgetFrame}>`;
}

definition.component = CareWidget;

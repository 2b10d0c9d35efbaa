// /influencers: who counts, ranked by reach, engagement received and authority, for the topics and
// countries of the filter bar, by category (journalists, bloggers, elected officials, brands). A
// row opens the author's page (/influencers/{handle}).
import { html } from "htm/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { analyticsQuery, filtersKey } from "veille/widgets/filters.js";
import { resolveRange, Widget } from "veille/widgets/index.js";
import { categoryName } from "veille/widgets/influencers.js";
import { Board, Cell, filtersQuery, mountBoard, Panel, useBoardFilters } from "./board.js";

export const CATEGORIES = ["journalist", "blogger", "elected", "media", "brand", "other"];
const SAMPLE = 200;

/** The author page's address for a ranking row, keeping the board's filters. */
export function authorAddress(row, filters) {
  return `/influencers/${encodeURIComponent(row.handle)}?platform=${encodeURIComponent(row.source)}&${filtersQuery(filters)}`;
}

function Categories({ filters, chosen, onChoose }) {
  const range = useMemo(() => resolveRange(filters), [filtersKey(filters)]);
  const [loaded, setLoaded] = useState({ state: "loading", counts: null, error: null });
  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: "loading", counts: null, error: null });
    api.get("/api/v1/analytics/influencers", { query: analyticsQuery(filters, range, { limit: SAMPLE }) }).then(
      (answer) => {
        if (cancelled) return;
        const counts = Object.fromEntries(CATEGORIES.map((name) => [name, 0]));
        for (const row of answer.rows) counts[row.category] = (counts[row.category] || 0) + 1;
        setLoaded({ state: answer.rows.length ? "ready" : "empty", counts, total: answer.rows.length, error: null });
      },
      (error) => !cancelled && setLoaded({ state: "error", counts: null, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [filtersKey(filters)]);
  return html`<${Panel}
    name="categories"
    title=${t("Categories")}
    state=${loaded.state}
    error=${loaded.error}
    subtitle=${loaded.counts ? t("Among the {count} most influential authors", { count: formatNumber(loaded.total) }) : null}
  >
    <ul class="chip-row" role="radiogroup" aria-label=${t("Category")}>
      <li><button type="button" class="chip" role="radio" data-category="" aria-checked=${chosen ? "false" : "true"} onClick=${() => onChoose(null)}>${t("All")}</button></li>
      ${CATEGORIES.map(
        (name) => html`<li key=${name}><button type="button" class="chip" role="radio" data-category=${name} aria-checked=${chosen === name ? "true" : "false"} onClick=${() => onChoose(name)}>
          ${categoryName(name)} <b>${loaded.counts ? formatNumber(loaded.counts[name] || 0) : ""}</b></button></li>`,
      )}
    </ul>
  </${Panel}>`;
}

function InfluencersBoard() {
  const { filters, topics, setFilters } = useBoardFilters({ range: "30d" });
  const [category, setCategory] = useState(() => {
    const asked = new URLSearchParams(window.location.search).get("category");
    return CATEGORIES.includes(asked) ? asked : null;
  });
  const choose = (name) => {
    setCategory(name);
    const address = new URL(window.location.href);
    if (name) address.searchParams.set("category", name);
    else address.searchParams.delete("category");
    window.history.replaceState(null, "", address);
  };
  return html`<${Board}
    name="influencers"
    title=${t("Influencers")}
    subtitle=${t("Who counts for the topics and countries chosen: ranked by reach, engagement received and authority. Open an author for their page.")}
    filters=${filters}
    topics=${topics}
    onFilters=${setFilters}
  >
    <${Cell} span=${12} rows=${0} name="categories"><${Categories} filters=${filters} chosen=${category} onChoose=${choose} /></${Cell}>
    <${Cell} span=${12} rows=${0} name="ranking">
      <${Widget} type="influencers" title=${category ? `${t("Influencers")} · ${categoryName(category)}` : t("Influencers")} filters=${filters} options=${{ limit: 50, category }} authorHref=${(row) => authorAddress(row, filters)} />
    </${Cell}>
  </${Board}>`;
}

if (document.getElementById("board")?.dataset.board === "influencers" && !document.getElementById("board").dataset.author) {
  mountBoard(InfluencersBoard);
}

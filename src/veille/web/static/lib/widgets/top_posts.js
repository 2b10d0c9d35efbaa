// top_posts: the matching posts with the most engagement (likes + reposts + replies) or reach
// (the author's followers). Each post opens itself in the explorer.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n.js";
import { analyticsQuery } from "./filters.js";
import { useLive, useStable, useWidgetData, WidgetFrame } from "./frame.js";
import { PostList } from "./posts.js";
import { rangeOf } from "./volume.js";

export const definition = {
  type: "top_posts",
  label: () => t("Top posts"),
  size: { w: 6, h: 6 },
  defaults: { by: "engagement", limit: 5 },
  fields: [
    { name: "by", label: () => t("Ranked by"), choices: ["engagement", "reach"], choiceLabel: (value) => (value === "reach" ? t("Reach") : t("Engagement")) },
    { name: "limit", label: () => t("Posts shown"), choices: [3, 5, 10, 20], choiceLabel: (value) => formatNumber(value) },
  ],
};

/** Re-render every ``ms`` so that "4 min" ages by itself. */
export function useNow(ms = 30_000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function TopPostsWidget({ title, filters, options: given, drill = true, range: fixedRange }) {
  const options = useStable({ ...definition.defaults, ...(given || {}) });
  const now = useNow();
  const loaded = useWidgetData({
    filters,
    options,
    fixedRange,
    load: (range, signal) =>
      api.get("/api/v1/analytics/top-posts", {
        query: analyticsQuery(filters, range, { by: options.by === "reach" ? "reach" : "engagement", limit: options.limit }),
        signal,
      }),
    isEmpty: (data) => data.rows.length === 0,
  });
  useLive({ filters, refresh: loaded.refresh, everyMs: 60_000 });
  const data = loaded.data;
  return html`<${WidgetFrame}
    type="top_posts"
    title=${title || definition.label()}
    state=${loaded.status}
    error=${loaded.error}
    onRetry=${loaded.refresh}
    subtitle=${options.by === "reach" ? t("By reach") : t("By engagement")}
    csv=${() => data && { columns: data.columns, rows: data.rows }}
  >
    ${data ? html`<${PostList} posts=${data.rows} filters=${filters} range=${rangeOf(loaded)} now=${now} drill=${drill} />` : null}
  </${WidgetFrame}>`;
}

definition.component = TopPostsWidget;

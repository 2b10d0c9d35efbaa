// /content: how our own posts perform (the brand accounts marked as ours): engagement rate per
// format, topic, hour of day and account. A bar opens our posts behind it in the explorer.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { t } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { Board, Cell, mountBoard, useBoardFilters } from "./board.js";

function ContentBoard() {
  const { filters, topics, setFilters } = useBoardFilters({ range: "30d" });
  const [measure, setMeasure] = useState("engagement_rate");
  const options = (group_by) => ({ group_by, measure });
  const controls = html`<div class="segmented" role="radiogroup" aria-label=${t("Measure")} data-option="measure">
    ${["engagement_rate", "engagement_mean"].map(
      (value) => html`<button type="button" role="radio" key=${value} data-measure=${value} aria-checked=${measure === value ? "true" : "false"} onClick=${() => setMeasure(value)}>
        ${value === "engagement_rate" ? t("Engagement rate") : t("Mean engagement")}</button>`,
    )}
  </div>`;
  return html`<${Board}
    name="content"
    title=${t("Our content")}
    subtitle=${t("How the posts of our own accounts perform: per format, topic, hour of day and account.")}
    filters=${filters}
    topics=${topics}
    onFilters=${setFilters}
    options=${controls}
  >
    <${Cell} span=${6} rows=${5} name="format"><${Widget} type="content" title=${t("Per format")} filters=${filters} options=${options("format")} /></${Cell}>
    <${Cell} span=${6} rows=${5} name="topic"><${Widget} type="content" title=${t("Per topic")} filters=${filters} options=${options("topic")} /></${Cell}>
    <${Cell} span=${12} rows=${5} name="hour"><${Widget} type="content" title=${t("Per hour of day")} filters=${filters} options=${options("hour")} /></${Cell}>
    <${Cell} span=${12} rows=${5} name="account"><${Widget} type="content" title=${t("Per account")} filters=${filters} options=${options("account")} /></${Cell}>
  </${Board}>`;
}

mountBoard(ContentBoard);

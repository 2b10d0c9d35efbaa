// text: a note on the dashboard (context, a reading guide, a warning). Paragraphs are separated by
// a blank line; everything is text (no HTML, no markup).
import { html } from "htm/preact";
import { t } from "../i18n.js";
import { WidgetFrame } from "./frame.js";

export const definition = {
  type: "text",
  label: () => t("Note"),
  size: { w: 4, h: 2 },
  defaults: { text: "" },
  fields: [{ name: "text", label: () => t("Text"), kind: "text" }],
};

export function TextWidget({ title, options }) {
  const text = String((options && options.text) || "");
  const paragraphs = text.split(/\n\s*\n/).map((part) => part.trim()).filter(Boolean);
  return html`<${WidgetFrame}
    type="text"
    title=${title || definition.label()}
    state=${paragraphs.length ? "ready" : "empty"}
    emptyText=${t("This note is empty: write it in the widget's settings.")}
  >
    <div class="widget__text">${paragraphs.map((paragraph, index) => html`<p key=${index} dir="auto">${paragraph}</p>`)}</div>
  </${WidgetFrame}>`;
}

definition.component = TextWidget;

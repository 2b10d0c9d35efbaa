// The widget registry: every widget type by its exact name, with its label, default size and
// options, its settings form fields and its component. Pages and walls render widgets through it:
//
//   import { Widget, mountWidget, widgetDefinition, widgetTypes } from "veille/widgets/index.js";
//   html`<${Widget} type="volume" title="" filters=${filters} options=${{ group_by: "country" }} />`
//   mountWidget(element, { type: "kpi", filters, options: { metric: "posts" } });  // outside Preact
//
// A widget gets its filters and options from its host, never from the page's address.
import { html, render } from "htm/preact";
import { t } from "../i18n.js";
import { narrowFilters } from "./filters.js";
import { WidgetFrame } from "./frame.js";

const definitions = new Map();

/** Add a widget type: {type, label(), size: {w, h}, defaults, fields, component}. */
export function registerWidget(definition) {
  if (!definition || typeof definition.type !== "string" || typeof definition.component !== "function") {
    throw new TypeError("a widget definition needs a type and a component");
  }
  definitions.set(definition.type, Object.freeze({ ...definition }));
}

/** The definition of a type, or null. */
export function widgetDefinition(type) {
  return definitions.get(type) || null;
}

/** Every registered type, in registration order. */
export function widgetTypes() {
  return [...definitions.keys()];
}

/**
 * One widget of any type. Props: ``type``, ``title`` (empty: the type's label), ``filters`` (the
 * host's shared filters), ``options`` (the widget's own), ``drill`` (false: no explorer links, as on
 * a public wall), ``range`` (a fixed {from, to, interval} instead of the filters' range).
 */
export function Widget({ type, ...props }) {
  const definition = widgetDefinition(type);
  if (!definition) {
    return html`<${WidgetFrame} type=${type} title=${props.title || type} state="error" error=${new Error(t("unknown widget type {type}", { type }))} />`;
  }
  const Component = definition.component;
  const own = props.options && props.options.filters;
  if (!own) return html`<${Component} ...${props} />`;
  // The widget's own narrowing (options.filters: {sentiment: ["negative"]}…) on the host's filters.
  const narrowed = narrowFilters(props.filters, own);
  if (narrowed.conflict) {
    return html`<${WidgetFrame} type=${type} title=${props.title || definition.label()} state="empty" emptyText=${t("The filter bar excludes what this widget is set to show.")} />`;
  }
  return html`<${Component} ...${props} filters=${narrowed.filters} />`;
}

/**
 * Render a widget into ``element`` (a wall's cell, any non-Preact host); call again to update, or
 * unmountWidget. From inside a Preact effect, call it in a microtask (queueMicrotask): the vendored
 * Preact drops the effects of a component rendered by another root while it flushes effects, and a
 * widget's effects are what load its data.
 */
export function mountWidget(element, props) {
  render(html`<${Widget} ...${props} />`, element);
}

export function unmountWidget(element) {
  render(null, element);
}

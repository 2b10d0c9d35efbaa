// The widget library: import this module to get every widget type registered.
//
//   import { Widget, mountWidget, widgetTypes, widgetDefinition } from "veille/widgets/index.js";
//
// Types, by their exact names: volume, sentiment, share_of_voice, map, trends, influencers,
// top_posts, feed, care, kpi, content, text, alerts, inbox, radar (docs/frontend.md lists their options).
import { definition as alerts } from "./alerts.js";
import { definition as care } from "./care.js";
import { definition as content } from "./content.js";
import { definition as feed } from "./feed.js";
import { definition as inbox } from "./inbox.js";
import { definition as influencers } from "./influencers.js";
import { definition as kpi } from "./kpi.js";
import { definition as map } from "./map.js";
import { definition as radar } from "./radar.js";
import { registerWidget } from "./registry.js";
import { definition as sentiment } from "./sentiment.js";
import { definition as shareOfVoice } from "./share_of_voice.js";
import { definition as text } from "./text.js";
import { definition as topPosts } from "./top_posts.js";
import { definition as trends } from "./trends.js";
import { definition as volume } from "./volume.js";

for (const definition of [kpi, volume, sentiment, shareOfVoice, map, trends, influencers, topPosts, feed, care, content, text, alerts, inbox, radar]) {
  registerWidget(definition);
}

export { mountWidget, registerWidget, unmountWidget, Widget, widgetDefinition, widgetTypes } from "./registry.js";
export { DEFAULT_FILTERS, exploreUrl, isLiveRange, normaliseFilters, RANGE_PRESETS, resolveRange } from "./filters.js";
export { followStatus } from "./live_posts.js";

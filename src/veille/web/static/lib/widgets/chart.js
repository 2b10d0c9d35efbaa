// An ECharts chart inside a widget: drawn on a canvas (so it exports as PNG), coloured from the
// page's theme (CSS variables), resized with its box, and clickable for drill-downs.
//
//   <${Chart} option=${option} onPoint=${(params) => open(params)} chartRef=${ref} />
//
// ``option`` is a plain ECharts option; Chart adds the theme's text, axis and grid colours.
import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import * as echarts from "echarts";

// Calm categorical colours, legible on the dark and the light theme alike.
export const PALETTE = ["#38bdf8", "#a78bfa", "#f59e0b", "#34d399", "#f472b6", "#60a5fa", "#fb923c", "#2dd4bf", "#c084fc", "#facc15"];
export const SENTIMENT_COLOURS = { positive: "#22c55e", neutral: "#94a3b8", negative: "#f43f5e", unknown: "#64748b" };

/** The theme's colours, read from the element's CSS variables. */
export function themeColours(element) {
  const style = getComputedStyle(element || document.body);
  const read = (name, fallback) => (style.getPropertyValue(name) || "").trim() || fallback;
  return {
    text: read("--text", "#eef2fb"),
    muted: read("--muted", "#8b97b0"),
    border: read("--border", "rgba(148,163,184,0.16)"),
    surface: read("--card", "#131b2e"),
    accent: read("--accent", "#38bdf8"),
    fontFamily: read("--font-sans", "sans-serif"),
  };
}

function themed(option, colours) {
  const axis = (axes) =>
    (Array.isArray(axes) ? axes : axes ? [axes] : []).map((item) => ({
      axisLine: { lineStyle: { color: colours.border } },
      axisTick: { show: false },
      axisLabel: { color: colours.muted, hideOverlap: true },
      splitLine: { lineStyle: { color: colours.border } },
      nameTextStyle: { color: colours.muted },
      ...item,
    }));
  const base = {
    grid: { left: 8, right: 12, top: 28, bottom: 8, containLabel: true },
    tooltip: {
      backgroundColor: colours.surface,
      borderColor: colours.border,
      textStyle: { color: colours.text },
      confine: true,
    },
    legend: { textStyle: { color: colours.muted }, icon: "roundRect", itemWidth: 10, itemHeight: 10, top: 0 },
  };
  const result = {
    color: PALETTE,
    backgroundColor: "transparent",
    textStyle: { color: colours.text, fontFamily: colours.fontFamily },
    animationDuration: 400,
    ...option,
    // The widget's own settings over the theme's, part by part.
    grid: { ...base.grid, ...(option.grid || {}) },
    tooltip: { ...base.tooltip, ...(option.tooltip || {}) },
    legend: { ...base.legend, ...(option.legend || {}) },
  };
  if (option.xAxis) result.xAxis = axis(option.xAxis);
  if (option.yAxis) result.yAxis = axis(option.yAxis);
  // Labels in the theme's text colour, without ECharts' outline (it blurs small text).
  if (Array.isArray(option.series)) {
    result.series = option.series.map((series) =>
      series.label && series.label.show ? { ...series, label: { color: colours.text, textBorderWidth: 0, ...series.label } } : series,
    );
  }
  return result;
}

/** True when the page is printed (the PDF report): charts draw without animation. */
export function printing() {
  return document.documentElement.dataset.print === "true";
}

export function Chart({ option, onPoint, chartRef, label }) {
  const box = useRef(null);
  const instance = useRef(null);
  const pointHandler = useRef(onPoint);
  pointHandler.current = onPoint;

  useEffect(() => {
    // Canvas on screen (the PNG export); SVG in a printed report, drawn as vectors at the printed size.
    const chart = echarts.init(box.current, null, { renderer: printing() ? "svg" : "canvas" });
    instance.current = chart;
    if (chartRef) chartRef.current = chart;
    chart.on("click", (params) => pointHandler.current && pointHandler.current(params));
    const resize = () => chart.resize();
    const observer = new ResizeObserver(resize);
    observer.observe(box.current);
    window.addEventListener("beforeprint", resize);
    return () => {
      window.removeEventListener("beforeprint", resize);
      observer.disconnect();
      chart.dispose();
      instance.current = null;
      if (chartRef) chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = instance.current;
    if (!chart) return;
    const full = themed(option, themeColours(box.current));
    if (printing()) full.animation = false;
    // The box has its final size by now (effects run after layout); a print has no resize to wait for.
    chart.resize();
    chart.setOption(full, { notMerge: true });
  }, [option]);

  return html`<div class="widget__chart" ref=${box} role="img" aria-label=${label || ""}></div>`;
}

/** The chart as a PNG data: URL on the theme's background (ECharts getDataURL). */
export function chartPng(chart, element) {
  const colours = themeColours(element);
  return chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: colours.surface });
}

let worldMap = null;

/** Register the world map once per page: Natural Earth countries, named by their ISO numeric code
 * (``properties.iso``, "250" for France: a series reads it with ``nameProperty: "iso"``). */
export function ensureWorldMap() {
  if (worldMap === null) {
    worldMap = fetch(new URL("../../vendor/world-atlas/countries-50m.geo.json", import.meta.url))
      .then((response) => {
        if (!response.ok) throw new Error(`world map: HTTP ${response.status}`);
        return response.json();
      })
      .then((geo) => {
        // The ISO numeric code is the feature's id; ECharts names regions from a property.
        for (const feature of geo.features) feature.properties = { ...(feature.properties || {}), iso: feature.id || "" };
        echarts.registerMap("world", geo);
        return true;
      })
      .catch((error) => {
        worldMap = null;
        throw error;
      });
  }
  return worldMap;
}

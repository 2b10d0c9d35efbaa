// A post's text with the spans that matched marked: [start, end) offsets from the API count
// characters (code points, as Python does), not UTF-16 units, so the text is cut as code points.
// The pieces are text nodes and <mark> elements built by Preact: post text never becomes HTML.
import { html } from "htm/preact";

/** ``text`` as strings and <mark>s; ``spans``: [[start, end], …] in code points, any order. */
export function highlightPieces(text, spans) {
  const chars = Array.from(String(text ?? ""));
  const ordered = (Array.isArray(spans) ? spans : [])
    .filter((span) => Array.isArray(span) && span.length === 2 && span[0] < span[1])
    .map(([start, end]) => [Math.max(0, start), Math.min(chars.length, end)])
    .sort((a, b) => a[0] - b[0]);
  const pieces = [];
  let position = 0;
  for (const [start, end] of ordered) {
    if (end <= position) continue;
    const from = Math.max(start, position);
    if (from > position) pieces.push(chars.slice(position, from).join(""));
    pieces.push(html`<mark class="hit">${chars.slice(from, end).join("")}</mark>`);
    position = end;
  }
  if (position < chars.length) pieces.push(chars.slice(position).join(""));
  return pieces;
}

export function Highlighted({ text, spans, lang }) {
  return html`<span class="post__text" dir="auto" lang=${lang || undefined}>${highlightPieces(text, spans)}</span>`;
}

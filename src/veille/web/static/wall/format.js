// Pure helpers of the live wall: initials, colours and the reading of post text. Numbers and times
// are the shared ones (veille/format.js). No DOM here, so the browser tests can import this module
// and check each rule on its own.

// Letters, digits and combining marks: what may touch a '#' or '@' without breaking the tag.
// Same rules as src/veille/text.py (hashtags, mentions, URLs), written with Unicode classes
// because JavaScript's \w is ASCII-only.
const WORD = "\\p{L}\\p{N}\\p{M}_";
const TOKEN_RE = new RegExp(
  "(?<url>(?:https?:\\/\\/|www\\.)\\S+)" +
    `|(?<![${WORD}])(?<tag>#(?:[\\p{L}\\p{N}][${WORD}]*|_[${WORD}]+))` +
    `|(?<![${WORD}])(?<mention>@[${WORD}]+(?:[.-][${WORD}]+)*)`,
  "giu",
);
const URL_TRAILING = new Set(Array.from(".,;:!?)]}'\"»”’…"));
const URL_SHOWN_CHARS = 34;

/**
 * Cut a post's text into segments {kind: "text" | "tag" | "mention" | "url", text, shown}.
 * The wall renders every segment as a text node: nothing in a post ever becomes markup.
 */
export function segmentText(text) {
  const segments = [];
  let position = 0;
  const pushText = (value) => {
    if (!value) return;
    const last = segments[segments.length - 1];
    if (last && last.kind === "text") last.text += value;
    else segments.push({ kind: "text", text: value });
  };
  for (const match of String(text).matchAll(TOKEN_RE)) {
    const start = match.index;
    let value = match[0];
    let kind = match.groups.url ? "url" : match.groups.tag ? "tag" : "mention";
    let tail = "";
    if (kind === "url") {
      const chars = Array.from(value);
      while (chars.length && URL_TRAILING.has(chars[chars.length - 1])) tail = chars.pop() + tail;
      value = chars.join("");
      if (value.length <= "www.".length) {
        kind = "text";
      }
    }
    pushText(String(text).slice(position, start));
    if (kind === "text") pushText(value);
    else segments.push({ kind, text: value, shown: kind === "url" ? shortUrl(value) : value });
    pushText(tail);
    position = start + match[0].length;
  }
  pushText(String(text).slice(position));
  return segments;
}

/** "https://www.example.org/a/long/path" → "example.org/a/long/pa…" (a wall is read, not clicked). */
export function shortUrl(url) {
  const bare = url.replace(/^https?:\/\//i, "").replace(/^www\./i, "").replace(/\/$/, "");
  const chars = Array.from(bare);
  return chars.length > URL_SHOWN_CHARS ? chars.slice(0, URL_SHOWN_CHARS - 1).join("") + "…" : bare;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Avatar initials: first and last word of the name ("Alice Martin" → "AM"), else the handle's first letter. */
export function initials(name, handle) {
  const words = String(name || "")
    .split(/\s+/u)
    .map((word) => Array.from(word).filter((ch) => LETTER_OR_DIGIT.test(ch)))
    .filter((letters) => letters.length > 0);
  if (words.length >= 2) return (words[0][0] + words[words.length - 1][0]).toLocaleUpperCase();
  if (words.length === 1) return words[0][0].toLocaleUpperCase();
  const fromHandle = Array.from(String(handle || "")).find((ch) => LETTER_OR_DIGIT.test(ch));
  return fromHandle ? fromHandle.toLocaleUpperCase() : "?";
}

/** A stable hue in [0, 360) from a handle (FNV-1a), so an author keeps the same avatar colour. */
export function hueOf(handle) {
  let hash = 0x811c9dc5;
  for (const ch of String(handle || "").toLowerCase()) {
    hash ^= ch.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}

/** Size class of a card's text: short posts are shown bigger, like a quote. */
export function textSize(text) {
  const length = Array.from(String(text)).length;
  if (length <= 90) return "short";
  if (length <= 220) return "medium";
  return "long";
}

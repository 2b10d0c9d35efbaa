// The query box of the explorer and the topic editor: the query language with syntax colouring, and
// the linter's errors and warnings shown inline at their column (POST /api/v1/query/lint).
//
//   const lint = useLint(text);   // {errors, warnings, pending}
//   html`<${QueryEditor} value=${text} onInput=${setText} onSubmit=${search} lint=${lint} />`
//
// The colouring is a <pre> painted under a transparent <textarea> (same font and wrapping), so the
// caret, selection, undo and paste stay the browser's own. Every piece is a text node.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { t } from "./i18n.js";

const TOKEN_RE = /(\s+)|("[^"]*"?)|([()])|\b(AND|OR|NOT|ONEAR\/\d+|NEAR\/\d+[fF]?)\b|([A-Za-z_][\w.]*:)|([#@$][\p{L}\p{N}_]+)|(-)(?=\S)|([^\s()"]+)/gu;
const KINDS = [null, "space", "phrase", "paren", "operator", "field", "tag", "operator", "term"];

/** The query cut into coloured pieces: [{text, kind, start}] (start: offset in code units). */
export function queryTokens(text) {
  const tokens = [];
  for (const match of String(text).matchAll(TOKEN_RE)) {
    const group = match.findIndex((value, index) => index > 0 && value !== undefined);
    tokens.push({ text: match[0], kind: KINDS[group] || "term", start: match.index });
  }
  return tokens;
}

// Lint offsets count code points (Python); the textarea's string counts UTF-16 units.
function unitOffset(text, codePoints) {
  let units = 0;
  let seen = 0;
  for (const char of text) {
    if (seen >= codePoints) break;
    units += char.length;
    seen += 1;
  }
  return units;
}

function flagAt(notes, text, start, end) {
  for (const note of notes) {
    const at = unitOffset(text, note.offset);
    if (at >= start && (at < end || (at === end && end === text.length))) return note;
  }
  return null;
}

function Painted({ text, lint }) {
  const notes = [...(lint.errors || []).map((note) => ({ ...note, level: "error" })), ...(lint.warnings || []).map((note) => ({ ...note, level: "warning" }))];
  const pieces = queryTokens(text).map((token) => {
    const note = token.kind === "space" ? null : flagAt(notes, text, token.start, token.start + token.text.length);
    const classes = `qe-${token.kind}${note ? ` qe-flag qe-flag--${note.level}` : ""}`;
    return html`<span class=${classes}>${token.text}</span>`;
  });
  const past = notes.some((note) => unitOffset(text, note.offset) >= text.length);
  return html`${pieces}${past ? html`<span class="qe-flag qe-flag--error qe-end"> </span>` : null}${"\n"}`;
}

/** Lint ``text`` as it is typed (debounced); ``{errors, warnings, pending}``. */
export function useLint(text, { delay = 250 } = {}) {
  const [state, setState] = useState({ errors: [], warnings: [], pending: false });
  useEffect(() => {
    if (!String(text).trim()) {
      setState({ errors: [], warnings: [], pending: false });
      return undefined;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, pending: true }));
    const timer = setTimeout(async () => {
      try {
        const answer = await api.post("/api/v1/query/lint", { query: text }, { signal: controller.signal });
        setState({ errors: answer.errors || [], warnings: answer.warnings || [], pending: false });
      } catch (error) {
        if (error && error.name === "AbortError") return;
        setState({ errors: [{ line: 1, column: 1, offset: 0, code: "error", message: String(error.message || error) }], warnings: [], pending: false });
      }
    }, delay);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text]);
  return state;
}

export function LintNotes({ lint }) {
  const notes = [...(lint.errors || []).map((note) => ({ ...note, level: "error" })), ...(lint.warnings || []).map((note) => ({ ...note, level: "warning" }))];
  if (!notes.length) return null;
  return html`<ul class="qe-notes" aria-live="polite">
    ${notes.map(
      (note) => html`<li class=${`qe-note qe-note--${note.level}`} data-lint=${note.level} data-code=${note.code} data-line=${note.line} data-column=${note.column}>
        <span class="qe-note__where">${note.level === "error" ? t("Error") : t("Warning")} · ${t("line {line}, column {column}", { line: note.line, column: note.column })}</span>
        <span class="qe-note__message">${note.message}</span>
      </li>`,
    )}
  </ul>`;
}

export function QueryEditor({ value, onInput, onSubmit, lint, rows = 1, label, placeholder, name = "query" }) {
  const input = useRef(null);
  const paint = useRef(null);
  const sync = () => {
    if (input.current && paint.current) {
      paint.current.scrollTop = input.current.scrollTop;
      paint.current.scrollLeft = input.current.scrollLeft;
    }
  };
  const keyDown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && onSubmit) {
      event.preventDefault();
      onSubmit();
    }
  };
  const invalid = lint && lint.errors && lint.errors.length > 0;
  return html`<div class=${`qe${invalid ? " qe--invalid" : ""}`} data-query-editor=${name}>
    <pre class="qe-paint" aria-hidden="true" ref=${paint} style=${{ minHeight: `${rows * 1.5 + 1.1}em` }}><${Painted} text=${value} lint=${lint || {}} /></pre>
    <textarea class="qe-input" ref=${input} name=${name} rows=${rows} spellcheck="false" autocomplete="off" autocapitalize="off"
      aria-label=${label || t("Query")} aria-invalid=${invalid ? "true" : "false"} placeholder=${placeholder || ""}
      value=${value} onInput=${(event) => { onInput(event.currentTarget.value); sync(); }} onScroll=${sync} onKeyDown=${keyDown}></textarea>
  </div>`;
}

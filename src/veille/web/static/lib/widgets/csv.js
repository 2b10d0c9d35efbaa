// A widget's data as a CSV file: the analytics exports' rules (RFC 4180 quoting, CRLF, a leading
// apostrophe before a text cell a spreadsheet would run as a formula), built in the browser from
// what the widget shows, so the file is exactly the figures on screen.

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return cell(value.join("|"));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** ``columns`` (names) and ``rows`` (objects or arrays) as CSV text. */
export function toCsv(columns, rows) {
  const lines = [columns.map(cell).join(",")];
  for (const row of rows) {
    const values = Array.isArray(row) ? row : columns.map((column) => row[column]);
    lines.push(values.map(cell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Offer ``content`` (text, Blob or data: URL) as a download named ``filename``. */
export function download(filename, content, type = "text/csv;charset=utf-8") {
  const isUrl = typeof content === "string" && content.startsWith("data:");
  const url = isUrl ? content : URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  if (!isUrl) setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a widget's title: "Volume — FR" → "volume-fr". */
export function fileStem(title, fallback = "widget") {
  const stem = String(title || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return stem || fallback;
}

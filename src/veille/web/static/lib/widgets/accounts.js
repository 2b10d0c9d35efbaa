// The registry of brand accounts, read once per page: the care and content widgets turn an
// account, a brand or "our accounts" into a query for the explorer.
import { api } from "../api.js";
import { queryValue } from "./filters.js";

let accounts = null;

export function brandAccounts() {
  if (accounts === null) {
    accounts = api.get("/api/v1/accounts").then(
      (answer) => (answer && Array.isArray(answer.items) ? answer.items : []),
      (error) => {
        accounts = null;
        throw error;
      },
    );
  }
  return accounts;
}

/** "x:@NovaTelecom_FR" → {platform: "x", handle: "NovaTelecom_FR"}. */
export function parseAccountLabel(label) {
  const match = /^([^:]+):@?(.+)$/.exec(String(label || ""));
  return match ? { platform: match[1], handle: match[2] } : null;
}

/** The posts addressed to these accounts (mentioning them): ``(@a OR @b)``, and their platforms. */
export function addressedTo(list) {
  const handles = [...new Set(list.map((account) => String(account.handle).replace(/^@/, "")))];
  const platforms = [...new Set(list.map((account) => account.platform))];
  if (!handles.length) return {};
  const q = handles.length === 1 ? `@${handles[0]}` : `(${handles.map((handle) => `@${handle}`).join(" OR ")})`;
  return { q, sources: platforms };
}

/** The posts written by these accounts, not replies or reposts (content performance's posts). */
export function writtenBy(list) {
  const handles = [...new Set(list.map((account) => String(account.handle).replace(/^@/, "")))];
  const platforms = [...new Set(list.map((account) => account.platform))];
  if (!handles.length) return {};
  const authors = handles.map((handle) => `author:${queryValue(handle)}`);
  const who = authors.length === 1 ? authors[0] : `(${authors.join(" OR ")})`;
  return { q: `${who} AND NOT is:reply AND NOT is:repost`, sources: platforms };
}

// The one client of the hub's JSON API for every page: same-origin requests with the session
// cookie, the CSRF header on every write, errors as ApiError (status, detail, field, column), and a
// 401 that sends the browser to the login page and back here afterwards.
//
//   import { api, ApiError } from "veille/api.js";
//   const page = await api.get("/api/v1/posts", { query: { limit: 30, topics: ["a", "b"] } });
//   await api.post("/api/v1/sources", table);
//
// A network failure is an ApiError with status 0; an aborted request (options.signal) rejects with
// the browser's AbortError, untouched, so callers can tell "cancelled" from "failed".

// Cookie-authenticated writes must carry this header (veille.web.deps): a cross-site form cannot.
export const WRITE_HEADERS = Object.freeze({ "X-Requested-With": "veille" });

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LOGIN_PATH = "/login";

/** An error answered by the hub: ``status`` (0: no answer), ``detail``, and the ``field`` (and ``column``) it names. */
export class ApiError extends Error {
  constructor(status, { detail = null, field = null, column = null, body = null } = {}) {
    super(messageOf(status, detail));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.field = field;
    this.column = column;
    this.body = body;
  }
}

const LOCATIONS = new Set(["body", "query", "path", "header", "cookie"]);

// FastAPI's own validation errors are a list of {loc, msg}, loc starting with where the value was
// (["body", "query"] is the body's field named "query"): the field of the first one.
function validationField(detail) {
  if (!Array.isArray(detail) || !detail.length || !Array.isArray(detail[0]?.loc)) return null;
  const loc = detail[0].loc.slice(LOCATIONS.has(detail[0].loc[0]) ? 1 : 0);
  const last = loc[loc.length - 1];
  return typeof last === "string" ? last : null;
}

function messageOf(status, detail) {
  if (typeof detail === "string" && detail !== "") return detail;
  if (Array.isArray(detail) && detail.length) {
    const first = detail[0] || {};
    const field = validationField(detail);
    const message = String(first.msg ?? `HTTP ${status}`);
    return field ? `${field}: ${message}` : message;
  }
  return status === 0 ? "the hub did not answer" : `HTTP ${status}`;
}

/** "/login?next=<this page>": where a 401 sends the browser, to come back here after logging in. */
export function loginUrl(here = window.location) {
  return `${LOGIN_PATH}?next=${encodeURIComponent(here.pathname + here.search)}`;
}

/** Leave for the login page (unless already there: a 401 on the login page must not loop). */
export function goToLogin() {
  if (window.location.pathname !== LOGIN_PATH) window.location.assign(loginUrl());
}

/**
 * ``path`` with query parameters: null and undefined are left out, arrays repeat the name
 * (``topics=a&topics=b``, as the API reads lists).
 */
export function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  if (!text) return path;
  return `${path}${path.includes("?") ? "&" : "?"}${text}`;
}

async function readBody(response) {
  if (response.status === 204 || response.status === 205) return null;
  const type = response.headers.get("Content-Type") || "";
  const text = await response.text();
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/**
 * One request to the API. ``options``: ``body`` (sent as JSON), ``query`` (see withQuery),
 * ``signal``, ``headers``, ``redirectOnUnauthorized`` (default true; false for a page that
 * handles a 401 itself). Resolves to the parsed JSON (or text; null for 204).
 */
export async function request(method, path, options = {}) {
  const { body, query, signal, headers = {}, redirectOnUnauthorized = true } = options;
  const verb = method.toUpperCase();
  const sent = { Accept: "application/json", ...headers };
  if (!SAFE_METHODS.has(verb)) Object.assign(sent, WRITE_HEADERS);
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(withQuery(path, query), {
      method: verb,
      credentials: "same-origin",
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, { detail: `the hub did not answer (${error && error.message ? error.message : error})` });
  }
  const payload = await readBody(response);
  if (response.status === 401 && redirectOnUnauthorized) goToLogin();
  if (!response.ok) {
    const fields = payload && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
    throw new ApiError(response.status, {
      detail: fields.detail ?? (typeof payload === "string" && payload ? payload : null),
      field: fields.field ?? validationField(fields.detail),
      column: Number.isInteger(fields.column) ? fields.column : null,
      body: payload,
    });
  }
  return payload;
}

/** The same as request(), one method each: api.get(path, options), api.post(path, body, options)… */
export const api = Object.freeze({
  request,
  get: (path, options) => request("GET", path, options),
  delete: (path, options) => request("DELETE", path, options),
  post: (path, body, options) => request("POST", path, { ...options, body }),
  put: (path, body, options) => request("PUT", path, { ...options, body }),
  patch: (path, body, options) => request("PATCH", path, { ...options, body }),
});

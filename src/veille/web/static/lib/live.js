// The live-stream client: Server-Sent Events from the hub (GET /api/v1/stream), resumed after a
// cut with no gap and no repeat, reconnected with backoff, its state reported for the page to show.
//
//   import { openStream } from "veille/live.js";
//   const stream = openStream({
//     on: { post: (post, event) => show(post) },
//     onStatus: (status) => indicator.dataset.status = status,  // connecting | live | catching-up | reconnecting | offline
//     query: { topic: ["helix"], language: "fr" },                 // only these posts (see docs/live.md)
//   });
//   stream.close();
//
// Resume: the hub numbers its events (``id: <seq>``). Browsers resume by themselves with the
// Last-Event-ID header, but only while they keep the same EventSource; this client closes a broken
// one and opens the next with ``?after=<last id seen>`` (the hub reads both the same way), so the
// resume also holds after a refused attempt or a drop before the first post. The ``ready`` event
// gives the hub's last id at subscription time: a cut before the first post resumes from there.
//
// Catching up: a screen too slow for the live pace (a busy machine, a weak network) is not waited
// for; the hub sends ``catching-up``, the posts it missed from the store, then ``caught-up``. The
// state reads "catching-up" in between, so that the page can say so.
import { goToLogin, withQuery } from "./api.js";

export const STREAM_PATH = "/api/v1/stream";

/** The states a page shows, in the order a connection goes through them. */
export const STREAM_STATES = Object.freeze(["connecting", "live", "catching-up", "reconnecting", "offline"]);

const DEFAULTS = Object.freeze({
  retryMs: 1_000,
  retryMaxMs: 15_000,
  // After this many failed attempts in a row the state reads "offline" (still retrying).
  offlineAfter: 4,
});

function parsed(data) {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

// Hundreds of screens cut at once must not come back at once: each waits a little more or less.
function withJitter(delayMs) {
  return Math.round(delayMs * (0.8 + Math.random() * 0.4));
}

// EventSource hides the HTTP status of a refused stream. Ask once with fetch: a 401 means the session
// has ended (log in again); anything else is left to the backoff. The probe is dropped as soon as the
// status is known, so an open stream is not kept twice.
async function refusedForLogin(url) {
  const controller = new AbortController();
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "text/event-stream" },
      signal: controller.signal,
    });
    return response.status === 401;
  } catch {
    return false;
  } finally {
    controller.abort();
  }
}

/**
 * Open the live stream. Options:
 *  - ``path`` (default /api/v1/stream) and ``query`` (filters, as api.js's withQuery);
 *  - ``after``: resume after this event id from the start (default: only what comes next);
 *  - ``on``: {eventName: (data, event) => …}; data is the event's JSON (events that are not JSON are skipped);
 *  - ``onStatus(status, {failures})`` on every change of state; ``onReady(ready)`` on every (re)subscription;
 *  - ``retryMs``, ``retryMaxMs``, ``offlineAfter``; ``redirectOnUnauthorized`` (default true).
 * Returns {close(), reconnect(), lastEventId, status}.
 */
export function openStream(options = {}) {
  const settings = { ...DEFAULTS, ...options };
  const { path = STREAM_PATH, query = null, on = {}, onStatus = () => {}, onReady = () => {} } = settings;
  const redirectOnUnauthorized = settings.redirectOnUnauthorized ?? true;
  let lastEventId = settings.after === undefined || settings.after === null ? null : String(settings.after);
  let status = "connecting";
  let source = null;
  let retryTimer = null;
  let failures = 0;
  let closed = false;

  const setStatus = (next) => {
    if (next === status) return;
    status = next;
    onStatus(status, { failures });
  };

  const urlNow = () => withQuery(path, { ...(query || {}), after: lastEventId });

  const connect = () => {
    retryTimer = null;
    if (closed) return;
    const opened = new EventSource(urlNow());
    source = opened;
    opened.addEventListener("ready", (event) => {
      if (opened !== source) return;
      failures = 0;
      const ready = parsed(event.data) || {};
      if (lastEventId === null && Number.isInteger(ready.last_seq)) lastEventId = String(ready.last_seq);
      setStatus("live");
      onReady(ready);
    });
    opened.addEventListener("catching-up", () => {
      if (opened === source) setStatus("catching-up");
    });
    opened.addEventListener("caught-up", () => {
      if (opened === source) setStatus("live");
    });
    for (const [name, handler] of Object.entries(on)) {
      opened.addEventListener(name, (event) => {
        if (opened !== source) return;
        if (event.lastEventId) lastEventId = event.lastEventId;
        const data = parsed(event.data);
        if (data !== undefined) handler(data, event);
      });
    }
    opened.onerror = () => {
      if (closed || opened !== source) return;
      // Reconnect ourselves rather than let the browser do it: the next request names the last
      // event seen (?after=), even when the drop came before the first post, so nothing is lost.
      const refused = opened.readyState === EventSource.CLOSED;
      opened.close();
      source = null;
      failures += 1;
      setStatus(failures >= settings.offlineAfter ? "offline" : "reconnecting");
      const delay = withJitter(Math.min(settings.retryMaxMs, settings.retryMs * 2 ** (failures - 1)));
      const retry = () => {
        if (!closed && source === null && retryTimer === null) retryTimer = setTimeout(connect, delay);
      };
      if (!refused || !redirectOnUnauthorized) {
        retry();
        return;
      }
      // Refused outright (an HTTP error): if the session has ended, go and log in again.
      refusedForLogin(urlNow()).then((unauthorized) => {
        if (unauthorized) goToLogin();
        else retry();
      });
    };
  };

  // Back online (a laptop waking up, a screen's network restored): try now, not at the end of the backoff.
  const onOnline = () => {
    if (closed || source !== null) return;
    clearTimeout(retryTimer);
    connect();
  };
  window.addEventListener("online", onOnline);

  onStatus(status, { failures });
  connect();

  return {
    get lastEventId() {
      return lastEventId;
    },
    get status() {
      return status;
    },
    /** Drop the current connection and open a new one at once (resuming after the last event seen). */
    reconnect() {
      if (closed) return;
      if (source) source.close();
      source = null;
      clearTimeout(retryTimer);
      connect();
    },
    close() {
      closed = true;
      window.removeEventListener("online", onOnline);
      clearTimeout(retryTimer);
      if (source) source.close();
      source = null;
    },
  };
}

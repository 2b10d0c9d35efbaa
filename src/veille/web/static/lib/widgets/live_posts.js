// One live stream per page, shared by every widget that follows new posts (volume, KPIs, the feed,
// the refreshing ones): a dashboard of twelve widgets opens one connection, not twelve.
//
//   const stop = followPosts((post) => …);   // the stream opens with the first follower
//   stop();                                   // and closes after the last one leaves
//
// A post the hub sends again (new metrics, enrichment) comes with ``repeat: true``: counters must
// not count it twice; lists replace it where it stands.
import { openStream } from "../live.js";

const SEEN_LIMIT = 20_000;
const followers = new Set();
const statusListeners = new Set();
const seen = new Set();
let stream = null;
let status = "connecting";

function remember(id) {
  if (seen.has(id)) return true;
  seen.add(id);
  if (seen.size > SEEN_LIMIT) {
    // Forget the oldest half: Sets iterate in insertion order.
    let drop = SEEN_LIMIT / 2;
    for (const old of seen) {
      seen.delete(old);
      drop -= 1;
      if (drop <= 0) break;
    }
  }
  return false;
}

function deliver(post) {
  if (!post || typeof post.id !== "string") return;
  const repeat = remember(post.id);
  for (const follower of [...followers]) {
    try {
      follower(post, { repeat });
    } catch (error) {
      console.error("widget: a live post could not be shown", error);
    }
  }
}

/** Follow the posts the hub stores from now on; returns the function that stops following. */
export function followPosts(onPost) {
  followers.add(onPost);
  if (stream === null) {
    stream = openStream({
      on: { post: deliver },
      onStatus: (next) => {
        status = next;
        for (const listener of [...statusListeners]) listener(next);
      },
    });
  }
  return () => {
    followers.delete(onPost);
    if (followers.size === 0 && stream !== null) {
      stream.close();
      stream = null;
      status = "connecting";
    }
  };
}

/** Mark ids as already counted (the posts a widget has just read from the API). */
export function markSeen(ids) {
  for (const id of ids) remember(id);
}

/** The stream's state (connecting | live | catching-up | reconnecting | offline) now and on every change. */
export function followStatus(onStatus) {
  statusListeners.add(onStatus);
  onStatus(status);
  return () => statusListeners.delete(onStatus);
}

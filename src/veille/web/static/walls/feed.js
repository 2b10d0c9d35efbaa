// The wall's posts, as its routes send them: one list per page, already filtered and moderated by
// the hub (veille.walls.admits is the one place that decides). The page only adds what the wall's
// stream sends (event: post) and removes what it hides (event: hide); it never re-decides, so the
// day the filtering moves elsewhere this module does not change.
//
//   const posts = wallPosts({ wallId });
//   posts.subscribe((list) => …);   // pinned first, then newest
//   await posts.reload();           // GET /api/v1/walls/{id}/posts
//   posts.add(post); posts.hide(postId);
//
// Posts arriving in a burst are shown together: one render per FLUSH_MS at most (a post arriving on
// a calm wall is shown at the next task), never one render per post, so that a screen stays within a
// quarter of a second of the hub at 1,000 posts/s. A hidden post leaves at once.
import { api } from "veille/api.js";

const KEEP = 200;
const FLUSH_MS = 150;

function ordered(list) {
  const pinned = list.filter((post) => post.wall_status === "pinned");
  const rest = list.filter((post) => post.wall_status !== "pinned");
  return [...pinned, ...rest].slice(0, KEEP);
}

function merged(list, arrivals) {
  const byId = new Map(list.map((post, index) => [post.id, index]));
  const next = list.slice();
  const fresh = [];
  for (const post of arrivals) {
    const known = byId.get(post.id);
    // A live post carries no wall_status (the hub's shared bytes): it keeps the one it had.
    const shown = "wall_status" in post ? post : { ...post, wall_status: known === undefined ? null : next[known].wall_status };
    if (known !== undefined) next[known] = shown;
    else fresh.push(shown);
  }
  return ordered([...fresh.reverse(), ...next]);
}

export function wallPosts({ wallId, redirectOnUnauthorized = true }) {
  let list = [];
  let pending = [];
  let flushTimer = null;
  let lastFlush = 0;
  const listeners = new Set();
  const notify = () => {
    for (const listener of [...listeners]) listener(list);
  };
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = null;
    if (!pending.length) return;
    lastFlush = performance.now();
    list = merged(list, pending.splice(0).slice(-KEEP));
    notify();
  };
  return {
    get list() {
      return list;
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(list);
      return () => listeners.delete(listener);
    },
    async reload() {
      flush();
      const answer = await api.get(`/api/v1/walls/${wallId}/posts`, { query: { limit: 100 }, redirectOnUnauthorized });
      list = ordered(answer.items || []);
      notify();
    },
    add(post) {
      if (!post || typeof post.id !== "string") return;
      pending.push(post);
      if (flushTimer === null) flushTimer = setTimeout(flush, Math.max(0, lastFlush + FLUSH_MS - performance.now()));
    },
    hide(postId) {
      flush();
      const next = list.filter((item) => item.id !== postId);
      if (next.length === list.length) return;
      list = next;
      notify();
    },
    clear() {
      pending = [];
      clearTimeout(flushTimer);
      flushTimer = null;
      list = [];
      notify();
    },
  };
}

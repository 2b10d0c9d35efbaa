// The wall's posts, as its routes send them: one list per page, already filtered and moderated by
// the hub (veille.walls.admits is the one place that decides). The page only adds what the wall's
// stream sends (event: post) and removes what it hides (event: hide); it never re-decides, so the
// day the filtering moves elsewhere this module does not change.
//
//   const posts = wallPosts({ wallId });
//   posts.subscribe((list) => …);   // pinned first, then newest
//   await posts.reload();           // GET /api/v1/walls/{id}/posts
//   posts.add(post); posts.hide(postId);
import { api } from "veille/api.js";

const KEEP = 200;

function ordered(list) {
  const pinned = list.filter((post) => post.wall_status === "pinned");
  const rest = list.filter((post) => post.wall_status !== "pinned");
  return [...pinned, ...rest].slice(0, KEEP);
}

export function wallPosts({ wallId, redirectOnUnauthorized = true }) {
  let list = [];
  const listeners = new Set();
  const notify = () => {
    for (const listener of [...listeners]) listener(list);
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
      const answer = await api.get(`/api/v1/walls/${wallId}/posts`, { query: { limit: 100 }, redirectOnUnauthorized });
      list = ordered(answer.items || []);
      notify();
    },
    add(post) {
      if (!post || typeof post.id !== "string") return;
      const known = list.findIndex((item) => item.id === post.id);
      if (known >= 0) {
        const next = list.slice();
        next[known] = post;
        list = ordered(next);
      } else {
        list = ordered([post, ...list]);
      }
      notify();
    },
    hide(postId) {
      const next = list.filter((item) => item.id !== postId);
      if (next.length === list.length) return;
      list = next;
      notify();
    },
    clear() {
      list = [];
      notify();
    },
  };
}

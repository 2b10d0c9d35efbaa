// A wall's sharing changed on its own (the walls list, the editor): the wall as stored is read and
// sent back with the new owner team and visibility, so an editor's unsaved changes are not saved
// with it.
import { api } from "veille/api.js";

export async function shareWall(wallId, sharing) {
  const stored = await api.get(`/api/v1/walls/${wallId}`);
  const { name, screens, filters, moderation, scenes } = stored;
  return api.put(`/api/v1/walls/${wallId}`, { name, screens, filters, moderation, scenes, ...sharing });
}

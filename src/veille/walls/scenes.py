"""Which scene a wall shows now, from the server's clock: every screen asks the same question and
gets the same answer, so the six screens of a video wall switch together.

A wall's playlist starts scene ``anchor_scene`` at ``anchor_us`` and goes through the scenes in
order, each for its ``duration_s``, round and round; ``hold`` stops it on the anchored scene.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SceneState", "scene_state"]


@dataclass(frozen=True, slots=True)
class SceneState:
    """The scene shown (0-based), since when, and when the next one starts (None: held, or one scene)."""

    scene: int
    since_us: int
    next_at_us: int | None
    hold: bool


def scene_state(
    *, durations_s: list[int], anchor_scene: int, anchor_us: int, hold: bool, now_us: int
) -> SceneState:
    count = len(durations_s)
    first = min(max(anchor_scene, 0), count - 1)
    if hold or count == 1 or now_us < anchor_us:
        return SceneState(scene=first, since_us=anchor_us, next_at_us=None, hold=hold)
    lengths = [duration * 1_000_000 for duration in durations_s]
    cycle = sum(lengths)
    elapsed = now_us - anchor_us
    start = anchor_us + (elapsed // cycle) * cycle
    scene = first
    while True:
        end = start + lengths[scene]
        if now_us < end:
            return SceneState(scene=scene, since_us=start, next_at_us=end, hold=False)
        start = end
        scene = (scene + 1) % count

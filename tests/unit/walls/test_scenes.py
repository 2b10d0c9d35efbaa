"""The scene every screen shows, computed from the server's clock."""

from __future__ import annotations

from veille.walls import SceneState, scene_state

S = 1_000_000


def state(
    now_s: float, *, anchor_scene: int = 0, hold: bool = False, durations: list[int] | None = None
) -> SceneState:
    return scene_state(
        durations_s=durations or [10, 20, 30],
        anchor_scene=anchor_scene,
        anchor_us=1_000 * S,
        hold=hold,
        now_us=int((1_000 + now_s) * S),
    )


def test_the_playlist_goes_round() -> None:
    assert state(0) == SceneState(0, 1_000 * S, 1_010 * S, False)
    assert state(9.999).scene == 0
    assert state(10) == SceneState(1, 1_010 * S, 1_030 * S, False)
    assert state(45) == SceneState(2, 1_030 * S, 1_060 * S, False)
    assert state(60) == SceneState(0, 1_060 * S, 1_070 * S, False)  # round again
    assert state(60 * 1000 + 15).scene == 1


def test_an_operator_jump_starts_there() -> None:
    assert state(0, anchor_scene=2) == SceneState(2, 1_000 * S, 1_030 * S, False)
    assert state(35, anchor_scene=2).scene == 0
    assert state(45, anchor_scene=2) == SceneState(1, 1_040 * S, 1_060 * S, False)


def test_hold_and_single_scene_stay() -> None:
    assert state(500, anchor_scene=1, hold=True) == SceneState(1, 1_000 * S, None, True)
    assert state(500, durations=[10]) == SceneState(0, 1_000 * S, None, False)
    # An anchor beyond the scenes (they were removed) shows the last one rather than fail.
    assert state(0, anchor_scene=7, hold=True).scene == 2

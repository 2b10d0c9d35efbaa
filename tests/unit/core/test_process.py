from __future__ import annotations

import gc

from veille.process import freeze_long_lived_objects


def test_freezing_moves_existing_objects_out_of_the_collector() -> None:
    kept = [object() for _ in range(100)]
    try:
        freeze_long_lived_objects()
        assert gc.get_freeze_count() >= len(kept)
        # Objects made afterwards are still tracked and collected as usual.
        before = gc.get_freeze_count()
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()

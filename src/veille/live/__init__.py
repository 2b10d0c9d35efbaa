"""The live layer: posts as they are written, to every screen, encoded once per batch.

See :mod:`veille.live.layer` and ``docs/live.md`` (the in-process API the walls use).
"""

from veille.live.filters import CompiledFilter, LiveFilter, LiveItem, Moderation, compile_filter
from veille.live.layer import LiveLayer, LiveLimits, LiveSubscription, StreamLimitReached, StreamsFull

__all__ = [
    "CompiledFilter",
    "LiveFilter",
    "LiveItem",
    "LiveLayer",
    "LiveLimits",
    "LiveSubscription",
    "Moderation",
    "StreamLimitReached",
    "StreamsFull",
    "compile_filter",
]

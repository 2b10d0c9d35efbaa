"""Stream framing: a reader task, a bounded queue and a stall timeout around a stream of frames.

Streaming connectors (Mastodon, Bluesky's Jetstream, X) hand :func:`batched_frames` an async
iterator of frames and get lists of frames back, so that the platform is read at its own pace
whatever the hub does with a batch, and silence (no frame nor :data:`HEARTBEAT` for the stall
timeout) is noticed and turned into a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

from veille.sources.connectors.errors import StallError

__all__ = ["HEARTBEAT", "batched_frames"]


class _Heartbeat:
    def __repr__(self) -> str:
        return "HEARTBEAT"


HEARTBEAT: Final = _Heartbeat()
"""Yield this from a frame iterator for keep-alives: it resets the stall timer and is not batched."""


async def batched_frames(
    frames: AsyncIterator[Any],
    *,
    stall_timeout_s: float | None,
    max_batch: int = 500,
    queue_size: int = 10_000,
    on_frame: Callable[[], None] | None = None,
) -> AsyncIterator[list[Any]]:
    """Read ``frames`` in a dedicated task into a bounded queue; yield what is queued as lists.

    The reader never waits on processing (Jetstream and X drop slow consumers). ``HEARTBEAT``
    frames only prove liveness. Raises :class:`StallError` when nothing arrives for
    ``stall_timeout_s``, and re-raises the reader's exception (connection dropped...) after the
    frames read before it were yielded. A clean end of ``frames`` raises ``ConnectionError`` since
    a stream that ends is a dropped stream.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=queue_size)
    end = object()
    failure: list[BaseException] = []

    async def read() -> None:
        try:
            async for frame in frames:
                await queue.put(frame)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # handed to the consumer, which decides
            failure.append(error)
        await queue.put(end)

    reader = asyncio.create_task(read())
    try:
        while True:
            try:
                first = await asyncio.wait_for(queue.get(), timeout=stall_timeout_s)
            except TimeoutError:
                raise StallError(f"no data nor heartbeat for {stall_timeout_s:g} s") from None
            pending = [first]
            while len(pending) < max_batch and not queue.empty():
                pending.append(queue.get_nowait())
            finished = any(item is end for item in pending)
            real = [item for item in pending if item is not end and item is not HEARTBEAT]
            if on_frame is not None:
                on_frame()
            if real:
                yield real
            if finished:
                if failure:
                    raise failure[0]
                raise ConnectionError("the server closed the stream")
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        close = getattr(frames, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()

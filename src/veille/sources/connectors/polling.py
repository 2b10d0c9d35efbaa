"""What the polling connectors (Reddit, RSS/Atom, Hacker News, YouTube) share.

Polling platforms have no resume token: each connector re-reads the newest page(s) and keeps, in its
checkpoint, a *high-water mark* (newest creation time seen) plus the ids seen inside an overlap window
below it (:class:`Watermark`). An item is new when its id was not seen and it is not older than the
window; paging stops at the first item older than the window. Late-indexed items (Algolia, Reddit's
caches) inside the overlap are caught, and nothing is delivered twice across a restart from the
committed checkpoint.

:class:`PollingConnector` runs one poll cycle per batch under the common reconnect policy
(``Connector.supervise``): a cycle works on a *copy* of the state and the copy replaces the state only
when the whole cycle succeeded, so a 5xx on page 3 cannot mark pages 1-2 as delivered.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from veille.contracts import SourceBatch
from veille.model import Post, PostRejected
from veille.sources.connectors.base import Connector
from veille.sources.connectors.errors import ConnectorConfigError

__all__ = ["Candidates", "PollingConnector", "Watermark", "digest_key", "parse_retry_after"]


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - now)


def digest_key(item: Any) -> str:
    """A stable key for an item without a usable id, so a malformed item is counted once, not per poll."""
    encoded = json.dumps(item, sort_keys=True, default=str, ensure_ascii=False).encode()
    return "raw:" + hashlib.sha1(encoded).hexdigest()[:16]


@dataclass(slots=True)
class Watermark:
    """Newest creation time seen plus the ids seen within ``overlap_s`` below it (JSON-serialisable).

    The window's floor (``high - overlap_s``) is frozen when the mark is loaded, at the start of a poll
    cycle: remembering the newest items of page 0 must not make the older new items of page 1 look old.
    """

    overlap_s: float = 60.0
    max_seen: int = 5000
    high: float | None = None
    seen: dict[str, float] = field(default_factory=dict)
    floor: float | None = None

    def is_new(self, key: str, moment: float) -> bool:
        if key in self.seen:
            return False
        return self.floor is None or moment >= self.floor

    def below_window(self, moment: float) -> bool:
        """True when ``moment`` is older than anything still worth reading (paging may stop)."""
        return self.floor is not None and moment < self.floor

    def remember(self, key: str, moment: float) -> None:
        self.seen[key] = moment
        if self.high is None or moment > self.high:
            self.high = moment

    def prune(self) -> None:
        if self.high is not None:
            floor = self.high - self.overlap_s
            self.seen = {key: moment for key, moment in self.seen.items() if moment >= floor}
        if len(self.seen) > self.max_seen:
            newest = sorted(self.seen.items(), key=lambda pair: pair[1], reverse=True)[: self.max_seen]
            self.seen = dict(newest)

    def to_dict(self) -> dict[str, Any]:
        self.prune()
        return {"high": self.high, "seen": dict(sorted(self.seen.items()))}

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | None, *, overlap_s: float, max_seen: int = 5000
    ) -> Watermark:
        mark = cls(overlap_s=overlap_s, max_seen=max_seen)
        if not isinstance(data, Mapping):
            return mark
        high = data.get("high")
        mark.high = float(high) if isinstance(high, int | float) and not isinstance(high, bool) else None
        mark.floor = None if mark.high is None else mark.high - overlap_s
        seen = data.get("seen")
        if isinstance(seen, Mapping):
            mark.seen = {
                str(key): float(value)
                for key, value in seen.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            }
        return mark


Candidates = list[tuple[Post, Any]]


class PollingConnector(Connector):
    """Base of the polling connectors: one poll cycle per batch, state checkpointed as JSON.

    Subclasses implement :meth:`poll` (read what is new, update ``state`` in place, return the mapped
    candidates and the rejects) and may override :meth:`next_delay`.
    """

    _state: dict[str, Any]
    # Set by ``poll`` when the cycle reached nothing (every feed unreachable...): the source is then
    # "failed" with that error until a later cycle reaches the platform, never "connected".
    unreachable: str | None = None

    async def poll(self, state: dict[str, Any]) -> tuple[Candidates, list[PostRejected]]:
        raise NotImplementedError

    def next_delay(self, state: dict[str, Any]) -> float:
        return float(self.config.get("poll_interval_s") or 60.0)

    def load_state(self, checkpoint: str | None) -> dict[str, Any]:
        if not checkpoint:
            return {}
        try:
            state = json.loads(checkpoint)
        except json.JSONDecodeError:
            raise ConnectorConfigError(
                f"source {self.name!r}: checkpoint is not the JSON this connector writes", field="checkpoint"
            ) from None
        if not isinstance(state, dict):
            raise ConnectorConfigError(
                f"source {self.name!r}: checkpoint is not a JSON object", field="checkpoint"
            )
        return state

    def _unreachable(self, message: str, retry_in: float) -> None:
        """Nothing could be read this cycle: failed (with the error) until a cycle succeeds."""
        now = self.clock.time()
        self.health.connected = False
        self.health.state = "failed"
        self.health.record_error(message, now)
        self.health.next_retry_at = now + retry_in

    @staticmethod
    def dump_state(state: Mapping[str, Any]) -> str:
        return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    async def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        self._state = self.load_state(checkpoint)
        async for batch in self.supervise(self._session):
            yield batch

    async def _session(self) -> AsyncIterator[SourceBatch]:
        while True:
            working = copy.deepcopy(self._state)
            self.unreachable = None
            candidates, rejected = await self.poll(working)
            if self.unreachable is None:
                self.connected()
            else:
                self._unreachable(self.unreachable, self.next_delay(working))
            self._state = working
            yield self.make_batch(candidates, rejected, checkpoint=self.dump_state(working))
            await self.clock.sleep(self.next_delay(working))

"""Each platform source runs in one process of the cluster: a lease per source (issue 15, item 3).

With ``bus = "nats"`` every worker (and ``veille serve`` with its pipeline on) knows the same
sources, but only the holder of a source's lease runs it. The leases are entries of one JetStream
key-value bucket (``[hub] source_lease_bucket``, default ``<nats_stream>_source_leases``), one key
per source, whose value names the holder (``{"source", "owner", "host", "pid", "renewed_at",
"expires_at"}``).

* **acquire**: ``create`` the key, which JetStream refuses when the key exists (compare-and-set on
  the key's revision): of two workers asking at once, one gets it.
* **renew**: ``update(key, value, last=revision)`` every ``source_lease_renew_s``; refused when
  anyone else wrote the key since (the lease was lost).
* **expiry**: the bucket's entries expire ``source_lease_ttl_s`` after their last write (the
  server's clock: no clock agreement between machines is needed). A worker killed with SIGKILL
  stops renewing; its key disappears after the TTL and the next worker to ask creates it again. It
  starts the source from the checkpoint committed in the store with the last stored batch, so the
  source goes on with no gap (and, the checkpoint being committed in the same transaction as the
  posts, with nothing stored twice).
* **fencing**: a holder that could not renew for ``ttl - renew`` seconds (NATS unreachable) stops
  the source by itself before the lease can expire and be taken by another.
* **release**: a clean stop deletes the key (with ``last=revision``) so that another worker takes
  the source over at once rather than after the TTL.

The TTL is the bucket's, fixed when it is created; a bucket made with another TTL keeps its own
(delete the bucket, ``nats kv del <bucket>``, to change it) and the renewal interval is clamped to
a third of it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import nats.errors
import nats.js.errors
from nats.js.kv import KeyValue
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from veille.bus.nats import BusUnavailable, NatsBus

__all__ = [
    "Lease",
    "LeaseHolder",
    "SourceLeaseCollector",
    "SourceLeases",
    "lease_key",
    "new_owner_id",
]

log = logging.getLogger(__name__)

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,200}")


def lease_key(source: str) -> str:
    """The bucket key of a source: its name when made of letters, digits, ``-`` and ``_``, else
    ``hex.<its UTF-8 bytes in hexadecimal>`` (no plain name contains a dot, so no two collide)."""
    if _PLAIN_KEY.fullmatch(source):
        return source
    return "hex." + source.encode().hex()


def new_owner_id() -> str:
    """This process's name in the leases: ``host:pid:random`` (unique even across restarts)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds a source, as written in its key."""

    source: str
    owner: str
    host: str
    pid: int
    renewed_at: float
    expires_at: float
    revision: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "host": self.host,
            "pid": self.pid,
            "renewed_at": self.renewed_at,
            "expires_at": self.expires_at,
        }


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this process holds: ``revision`` is what the next renewal must find in the bucket."""

    source: str
    revision: int
    renewed_at: float  # this process's monotonic clock, for fencing
    expires_at: float  # wall clock, for display


class SourceLeases:
    """The lease bucket, seen by one owner (a worker process)."""

    def __init__(
        self,
        *,
        bus: NatsBus,
        bucket: str,
        ttl_s: float,
        renew_s: float,
        owner: str | None = None,
    ) -> None:
        if ttl_s <= 0 or renew_s <= 0:
            raise ValueError("source leases: ttl and renewal interval must be positive")
        if renew_s * 2 > ttl_s:
            raise ValueError(
                f"source_lease_renew_s ({renew_s:g}) must be at most half of source_lease_ttl_s ({ttl_s:g})"
            )
        self.bus = bus
        self.bucket = bucket
        self.ttl_s = ttl_s
        self.renew_s = renew_s
        self.owner = owner or new_owner_id()
        self._kv: KeyValue | None = None

    async def open(self) -> KeyValue:
        """The bucket (created with ``ttl_s`` when missing; an existing one keeps its TTL)."""
        if self._kv is None:
            kv = await self.bus.key_value(self.bucket, ttl=self.ttl_s)
            status = await kv.status()
            ttl = status.ttl or 0.0
            if ttl and abs(ttl - self.ttl_s) > 0.001:
                log.warning(
                    "source leases: bucket %s expires entries after %g s, not source_lease_ttl_s=%g s "
                    "(delete the bucket to change it); using %g s",
                    self.bucket,
                    ttl,
                    self.ttl_s,
                    ttl,
                )
                self.ttl_s = ttl
                self.renew_s = min(self.renew_s, ttl / 3)
            elif not ttl:
                raise ValueError(
                    f"source leases: bucket {self.bucket} has no TTL: a dead owner would keep its sources"
                )
            self._kv = kv
        return self._kv

    @property
    def fence_after_s(self) -> float:
        """A lease not renewed for this long is given up by its holder (before the bucket expires it)."""
        return self.ttl_s - self.renew_s

    def _value(self, source: str) -> tuple[bytes, float]:
        now = time.time()
        expires = now + self.ttl_s
        body = {
            "source": source,
            "owner": self.owner,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "renewed_at": now,
            "expires_at": expires,
        }
        return json.dumps(body).encode(), expires

    async def acquire(self, source: str) -> Lease | None:
        """The lease of ``source`` when nobody holds it; None when another owner does.
        Raises :class:`BusUnavailable` when NATS does not answer."""
        kv = await self.open()
        value, expires = self._value(source)
        started = time.monotonic()
        try:
            revision = await kv.create(lease_key(source), value)
        except nats.js.errors.KeyWrongLastSequenceError:
            return None
        except (nats.errors.Error, TimeoutError) as error:
            raise BusUnavailable(f"source lease {source!r} not acquired: {error}") from error
        return Lease(source=source, revision=revision, renewed_at=started, expires_at=expires)

    async def renew(self, lease: Lease) -> Lease | None:
        """The renewed lease; None when it was lost (expired and taken, or deleted).
        Raises :class:`BusUnavailable` when NATS does not answer (the lease may still be ours)."""
        kv = await self.open()
        value, expires = self._value(lease.source)
        started = time.monotonic()
        try:
            revision = await kv.update(lease_key(lease.source), value, last=lease.revision)
        except nats.js.errors.KeyWrongLastSequenceError:
            return None
        except (nats.errors.Error, TimeoutError) as error:
            raise BusUnavailable(f"source lease {lease.source!r} not renewed: {error}") from error
        return Lease(source=lease.source, revision=revision, renewed_at=started, expires_at=expires)

    async def release(self, lease: Lease) -> None:
        """Give the lease back at once (only if it is still ours: ``last=revision``)."""
        kv = await self.open()
        try:
            await kv.delete(lease_key(lease.source), last=lease.revision)
        except nats.js.errors.APIError as error:
            if error.err_code not in (10071, 10164):  # not ours any more: nothing to give back
                raise

    async def holder(self, source: str) -> LeaseHolder | None:
        """Who holds ``source`` now (None: nobody)."""
        kv = await self.open()
        try:
            entry = await kv.get(lease_key(source))
        except (nats.js.errors.KeyNotFoundError, nats.js.errors.KeyDeletedError):
            return None
        if entry.value is None:
            return None
        try:
            body = json.loads(entry.value)
            return LeaseHolder(
                source=str(body["source"]),
                owner=str(body["owner"]),
                host=str(body.get("host", "")),
                pid=int(body.get("pid", 0)),
                renewed_at=float(body["renewed_at"]),
                expires_at=float(body["expires_at"]),
                revision=int(entry.revision or 0),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("source lease %r: unreadable value in bucket %s", source, self.bucket)
            return None

    async def holders(self, sources: Iterable[str]) -> dict[str, LeaseHolder]:
        found = {}
        for source in sources:
            holder = await self.holder(source)
            if holder is not None:
                found[source] = holder
        return found


class LeaseReporter(Protocol):
    def names(self) -> list[str]: ...

    def lease_view(self, name: str) -> dict[str, Any] | None: ...


class SourceLeaseCollector(Collector):
    """``veille_source_lease_held{source,owner}``: 1 for each source this process runs under its
    lease; ``veille_source_lease_holder{source,holder}``: 1 naming who runs each source in the
    cluster as last seen here (``holder=""``: nobody holds it)."""

    def __init__(self, manager: LeaseReporter, *, owner: str) -> None:
        self.manager = manager
        self.owner = owner

    def collect(self) -> Iterator[Metric]:
        held = GaugeMetricFamily(
            "veille_source_lease_held",
            "1 when this process holds the source's lease and runs it",
            labels=["source", "owner"],
        )
        holder = GaugeMetricFamily(
            "veille_source_lease_holder",
            "1 for the process holding the source's lease (as last seen by this one; '' = nobody)",
            labels=["source", "holder"],
        )
        for name in self.manager.names():
            view = self.manager.lease_view(name)
            if view is None:
                continue
            held.add_metric([name, self.owner], 1.0 if view["here"] else 0.0)
            holder.add_metric([name, view["holder"] or ""], 1.0)
        yield held
        yield holder

"""Source leases on the machine's real NATS JetStream (no mocks): acquire, renew, lose on expiry,
compare-and-set conflicts, release. Each test has its own bucket, deleted afterwards."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
import pytest

from tests.integration.nats.test_nats_bus import (  # noqa: F401
    NATS_URL,
    BusFactory,
    make_bus,
    names,
    nats_reachable,
)
from veille.sources.leases import SourceLeases, lease_key

pytestmark = pytest.mark.nats

LeasesFactory = Callable[..., Awaitable[SourceLeases]]


@pytest.fixture
async def leases(make_bus: BusFactory) -> AsyncIterator[LeasesFactory]:  # noqa: F811
    bucket = f"leases_{uuid.uuid4().hex[:10]}"

    async def make(*, ttl_s: float = 1.5, renew_s: float = 0.5, owner: str | None = None) -> SourceLeases:
        bus = await make_bus()
        made = SourceLeases(bus=bus, bucket=bucket, ttl_s=ttl_s, renew_s=renew_s, owner=owner)
        await made.open()
        return made

    yield make
    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
    try:
        await connection.jetstream().delete_key_value(bucket)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await connection.close()


async def _eventually(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_acquire_is_exclusive_and_names_the_holder(leases: LeasesFactory) -> None:
    first = await leases(owner="worker-a")
    second = await leases(owner="worker-b")
    lease = await first.acquire("hn")
    assert lease is not None
    assert await second.acquire("hn") is None
    holder = await second.holder("hn")
    assert holder is not None
    assert (holder.source, holder.owner, holder.revision) == ("hn", "worker-a", lease.revision)
    assert holder.expires_at > holder.renewed_at
    # Another source is free.
    assert await second.acquire("rss") is not None
    assert set(await first.holders(["hn", "rss", "none"])) == {"hn", "rss"}


async def test_compare_and_set_one_of_many_concurrent_acquirers_wins(leases: LeasesFactory) -> None:
    owners = [await leases(owner=f"worker-{index}") for index in range(5)]
    results = await asyncio.gather(*(owner.acquire("contested") for owner in owners))
    assert sum(result is not None for result in results) == 1
    winner = next(owner for owner, result in zip(owners, results, strict=True) if result is not None)
    holder = await owners[0].holder("contested")
    assert holder is not None and holder.owner == winner.owner


async def test_renewal_keeps_the_lease_past_its_ttl(leases: LeasesFactory) -> None:
    first = await leases(owner="worker-a")
    second = await leases(owner="worker-b")
    lease = await first.acquire("hn")
    assert lease is not None
    # Renewed for three TTLs: the key never expires, nobody else gets it.
    until = time.monotonic() + 3 * first.ttl_s
    while time.monotonic() < until:
        renewed = await first.renew(lease)
        assert renewed is not None and renewed.revision > lease.revision
        lease = renewed
        assert await second.acquire("hn") is None
        await asyncio.sleep(first.renew_s)


async def test_a_lease_not_renewed_expires_and_is_taken_over_then_lost(leases: LeasesFactory) -> None:
    first = await leases(owner="worker-a")
    second = await leases(owner="worker-b")
    lease = await first.acquire("hn")
    assert lease is not None
    taken = []

    async def second_takes_it() -> bool:
        got = await second.acquire("hn")
        if got is not None:
            taken.append(got)
        return got is not None

    # The owner stops renewing (as if killed): after the TTL the server drops the key.
    await _eventually(second_takes_it, "the expired lease to be taken over")
    holder = await first.holder("hn")
    assert holder is not None and holder.owner == "worker-b"
    # The old owner's renewal is refused (compare-and-set on the revision): it knows it lost.
    assert await first.renew(lease) is None
    # Releasing a lease that is no longer ours leaves the new holder's in place.
    await first.release(lease)
    holder = await first.holder("hn")
    assert holder is not None and holder.owner == "worker-b"
    assert await second.renew(taken[0]) is not None


async def test_release_lets_another_take_it_at_once(leases: LeasesFactory) -> None:
    first = await leases(ttl_s=60.0, renew_s=20.0, owner="worker-a")
    second = await leases(ttl_s=60.0, renew_s=20.0, owner="worker-b")
    lease = await first.acquire("a source/with:odd chars")
    assert lease is not None
    assert await second.acquire("a source/with:odd chars") is None
    await first.release(lease)
    assert await first.holder("a source/with:odd chars") is None
    assert await second.acquire("a source/with:odd chars") is not None


def test_keys_are_names_or_hex_and_never_collide() -> None:
    assert lease_key("hn-news_1") == "hn-news_1"
    odd = lease_key("é/x")
    assert odd.startswith("hex.") and odd != lease_key("hex") and lease_key(odd) != odd


def test_renewal_must_fit_twice_in_the_ttl() -> None:
    with pytest.raises(ValueError, match="source_lease_renew_s"):
        SourceLeases(bus=None, bucket="b", ttl_s=10, renew_s=6)  # type: ignore[arg-type]

"""The login throttle's arithmetic on a clock the test moves (no sleeps)."""

from __future__ import annotations

from veille.security.login_throttle import _SWEEP_ABOVE, LoginLimits, LoginThrottle


class StillClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_address_bucket_refills_at_its_rate() -> None:
    clock = StillClock()
    throttle = LoginThrottle(LoginLimits(address_burst=3, address_per_minute=6), clock=clock)
    assert [throttle.check(username="a", address="x") is None for _ in range(4)] == [True, True, True, False]
    refused = throttle.check(username="a", address="x")
    assert refused is not None and refused.reason == "address" and refused.retry_after_s == 10
    assert throttle.check(username="a", address="y") is None  # another address has its own bucket
    clock.now += 10
    assert throttle.check(username="a", address="x") is None
    assert throttle.check(username="a", address="x") is not None


def test_failures_outside_the_window_do_not_count_and_success_clears() -> None:
    clock = StillClock()
    throttle = LoginThrottle(LoginLimits(failures=3, window_s=60, lockout_s=30), clock=clock)
    assert throttle.failed(username="Alice") is None
    assert throttle.failed(username="alice ") is None  # same name: case and spaces do not matter
    clock.now += 61
    assert throttle.failed(username="alice") is None  # the first two fell out of the window
    assert throttle.failed(username="alice") is None
    assert throttle.failed(username="alice") == 30
    locked = throttle.check(username="ALICE", address="x")
    assert locked is not None and locked.reason == "user" and locked.retry_after_s == 30
    clock.now += 30
    assert throttle.check(username="alice", address="x") is None
    throttle.succeeded(username="alice")
    for _ in range(2):
        assert throttle.failed(username="alice") is None
    assert throttle.failed(username="alice") == 30  # history cleared: back to the first length


def test_lockouts_double_up_to_the_cap() -> None:
    clock = StillClock()
    throttle = LoginThrottle(LoginLimits(failures=1, lockout_s=60, lockout_max_s=200), clock=clock)
    lengths = []
    for _ in range(4):
        lengths.append(throttle.failed(username="bob"))
        clock.now += 1000
    assert lengths == [60, 120, 200, 200]


def test_memory_stays_bounded_under_a_spray_of_names_and_addresses() -> None:
    clock = StillClock()
    throttle = LoginThrottle(LoginLimits(), clock=clock)
    for number in range(_SWEEP_ABOVE + 10):
        throttle.check(username=f"u{number}", address=f"a{number}")
        throttle.failed(username=f"u{number}")
    clock.now += 7200
    throttle.check(username="late", address="late")
    throttle.failed(username="late")
    assert len(throttle._buckets) <= 2 and len(throttle._users) <= 2

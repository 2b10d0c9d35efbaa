"""Source health rules: when a source is failed, silent or keeps nothing, and what /metrics says."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from prometheus_client import CollectorRegistry, generate_latest

from veille.clock import Clock, SystemClock
from veille.sources.connectors.health import (
    ConnectorHealth,
    SourceHealthCollector,
    SourceStatus,
    health_view,
    source_alerts,
)

NOW = 1_800_000_000.0


def _status(**changes: object) -> SourceStatus:
    base = SourceStatus(
        name="bsky",
        type="bluesky",
        health=ConnectorHealth(name="bsky", type="bluesky", state="connected", connected=True),
        running=True,
        enabled=True,
        started_at=NOW - 100,
        stopped_by_user=False,
        silent_after_s=900.0,
        filter_mode="source",
        hub_topics=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _kinds(status: SourceStatus, now: float = NOW) -> list[str]:
    return [alert["kind"] for alert in source_alerts(status, now)]


def test_a_running_source_that_keeps_posts_has_no_alert() -> None:
    status = _status()
    status.health.last_post_at = NOW - 5
    assert source_alerts(status, NOW) == []


def test_silence_counts_from_the_start_when_no_post_was_ever_kept() -> None:
    status = _status(started_at=NOW - 1000)
    [alert] = source_alerts(status, NOW)
    assert alert == {
        "source": "bsky",
        "type": "bluesky",
        "kind": "silent",
        "message": "no post for 1000 s (alert after 900 s)",
        "since": NOW - 1000,
    }
    status.health.last_post_at = NOW - 10
    assert _kinds(status) == []


def test_a_failed_or_dead_source_is_failed_with_its_last_error() -> None:
    status = _status(running=False)
    status.health.record_error("HTTP 401: credentials refused", NOW - 50)
    status.health.state = "failed"
    [alert] = source_alerts(status, NOW)
    assert alert["kind"] == "failed" and alert["message"] == "HTTP 401: credentials refused"
    assert alert["since"] == NOW - 50
    assert _kinds(_status(running=False)) == ["failed"]  # its task ended without an error message


def test_a_source_stopped_by_its_user_or_never_started_raises_nothing() -> None:
    assert _kinds(_status(running=False, stopped_by_user=True)) == []
    assert _kinds(_status(running=False, started_at=None)) == []
    assert _kinds(_status(running=False, enabled=False)) == []


def test_a_firehose_filtered_by_topics_keeps_nothing_without_topics() -> None:
    assert _kinds(_status(filter_mode="topics", hub_topics=0)) == ["no_filter"]
    assert _kinds(_status(filter_mode="topics", hub_topics=1)) == []
    assert _kinds(_status(filter_mode="source", hub_topics=0)) == []


def test_the_view_of_a_source_that_does_not_run() -> None:
    assert health_view(_status(), NOW)["state"] == "connected"
    stopped = health_view(_status(running=False), NOW)
    assert stopped["state"] == "stopped" and stopped["connected"] is False
    assert health_view(_status(running=False, started_at=None), NOW)["state"] == "idle"
    failed = _status(running=False)
    failed.health.state = "failed"
    assert health_view(failed, NOW)["state"] == "failed"


@dataclass
class _Manager:
    statuses_now: list[SourceStatus]
    clock: Clock = field(default_factory=SystemClock)

    def statuses(self) -> list[SourceStatus]:
        return self.statuses_now


def test_the_collector_exports_each_source_and_forgets_removed_ones() -> None:
    quiet = _status(name="quiet", started_at=0.0)
    quiet.health.malformed_total = 4
    manager = _Manager([quiet, _status(name="down", running=False)])
    registry = CollectorRegistry()
    registry.register(SourceHealthCollector(manager))
    text = generate_latest(registry).decode()
    assert 'veille_source_silent{source="quiet",type="bluesky"} 1.0' in text
    assert 'veille_source_connected{source="quiet",type="bluesky"} 1.0' in text
    assert 'veille_source_errors_total{kind="malformed",source="quiet",type="bluesky"} 4.0' in text
    assert 'veille_source_failed{source="down",type="bluesky"} 1.0' in text
    assert 'veille_source_connected{source="down",type="bluesky"} 0.0' in text
    manager.statuses_now = manager.statuses_now[:1]
    assert 'source="down"' not in generate_latest(registry).decode()

"""Alert latency and false alerts.

1. Latency: from the hub accepting the post that makes a rule true (``Pipeline.submit`` returning:
   what the push API awaits before it answers 200) to the webhook arriving on a local HTTP server
   through Apprise's ``json://``, while a background load of ``LOAD_POSTS_PER_S`` posts a second goes
   through the same pipeline. Each trial has its own rule (a word of its own), so each is a new
   incident. The baseline is the same latency without the background load, measured in the same run.
2. False alerts: ``volume_spike`` rules on every demo topic, at the default sensitivity, over an
   ordinary day (the simulator's ``quiet_day``) after days of history; goal 0.

The hub runs in this process (SQLite in a scratch folder, in-process bus, the default enrichment).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from veille.model import Author, Post

__all__ = ["DESCRIPTION", "run"]

DESCRIPTION = "alert latency (post accepted → webhook) under 1,000 posts/s, and quiet-day false spikes"
GOAL_P95_S = 5.0
LOAD_POSTS_PER_S = 1000


@contextmanager
def _webhook() -> Iterator[tuple[int, dict[str, float]]]:
    arrivals: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            arrivals.setdefault(str(body.get("title", "")), time.perf_counter())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], arrivals
    finally:
        server.shutdown()
        server.server_close()


def _post(post_id: str, text: str) -> Post:
    return Post(
        id=post_id,
        source="bench",
        created_at=datetime.now(UTC),
        text=text,
        author=Author(handle=f"author{hash(post_id) % 5000}", followers=100),
    )


async def _latencies(*, trials: int, load: bool, data_dir: Path) -> tuple[list[float], float]:
    from veille.alerts import RuleSpec
    from veille.alerts.service import create_rule
    from veille.hub import Hub
    from veille.settings import Settings

    settings = Settings(data_dir=data_dir)
    hub = Hub.build(settings)
    await hub.start()
    assert hub.alerts is not None
    latencies: list[float] = []
    sent = 0
    stop = asyncio.Event()

    async def background() -> None:
        nonlocal sent
        batch, tick = 100, 0.1  # 1,000 posts a second in batches of a hundred
        next_at = time.perf_counter()
        while not stop.is_set():
            posts = [
                _post(f"bench:load-{sent + i}", f"bonne journée à tous, message {sent + i}")
                for i in range(batch)
            ]
            await hub.pipeline.submit(posts, source_name="load")
            sent += batch
            next_at += tick
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    with _webhook() as (port, arrivals):
        rules = [
            RuleSpec(
                name=f"probe {index}",
                kind="volume_threshold",
                query=f"sonde{index}",
                window_s=60,
                threshold=1,
                cooldown_s=0,
                notify=[f"json://127.0.0.1:{port}/hook"],
            )
            for index in range(-1, trials)  # trial -1 warms Apprise's plugins up; it is not counted
        ]
        for spec in rules:
            create_rule(store=hub.store, spec=spec)
        await hub.alerts.reload_rules()
        loader = asyncio.create_task(background()) if load else None
        started = time.perf_counter()
        await asyncio.sleep(2.0 if load else 0.1)  # the load reaches its pace
        for index in range(-1, trials):
            await hub.pipeline.submit(
                [_post(f"bench:probe-{index}", f"alerte sonde{index} en cours")], source_name="probe"
            )
            accepted = time.perf_counter()
            title = f"[WARNING] Alert: probe {index}"
            deadline = accepted + 60
            while title not in arrivals and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            if index >= 0:
                latencies.append(arrivals.get(title, float("inf")) - accepted)
            await asyncio.sleep(0.3)
        elapsed = time.perf_counter() - started
        stop.set()
        if loader is not None:
            await loader
    await hub.stop()
    return latencies, sent / elapsed if load else 0.0


def _quiet_day_false_spikes(*, quick: bool) -> tuple[int, int]:
    """Openings of volume_spike rules (one per demo topic) during an ordinary day after history."""
    from veille.accounts.brand_stage import BrandAccountStage
    from veille.alerts import AlertEngine, EngineRule, RuleSpec
    from veille.demo.datafiles import read_toml
    from veille.demo.seed import demo_accounts
    from veille.demo.simulator import generate_history
    from veille.query import TopicStage
    from veille.topics import monitor_for, topics_from_document

    specs = topics_from_document(read_toml("taxonomy.toml"))
    stage = TopicStage(monitor_for(specs))
    # As in the hub: the demo's registered brand accounts are marked on ingestion.
    brands = BrandAccountStage({account.key for account in demo_accounts()})
    end = datetime(2026, 11, 30, 0, tzinfo=UTC)
    day_start = end - timedelta(hours=8 if quick else 24)
    rate = 6.0 if quick else 10.0
    history = generate_history(
        day_start - timedelta(days=1 if quick else 3),
        day_start,
        scenario="quiet_day",
        rate_per_min=rate,
        seed=11,
        stretch=False,
    )
    day = generate_history(day_start, end, scenario="quiet_day", rate_per_min=rate, seed=12, stretch=False)
    rules = [RuleSpec(name=f"spike {spec.name}", kind="volume_spike", topic=spec.name) for spec in specs]
    engine = AlertEngine([EngineRule(rule.name, rule) for rule in rules])
    false_alerts = 0
    batch: list[Post] = []
    posts = 0

    def feed(items: list[Post]) -> int:
        changes = engine.observe(stage.process(brands.process(items)))
        return sum(1 for change in changes if change.kind == "opened" and change.opened_at >= day_start)

    for post in (*history, *day):
        batch.append(post)
        if len(batch) >= 2000:
            false_alerts += feed(batch)
            posts += len(batch)
            batch = []
    false_alerts += feed(batch) + sum(
        1 for c in engine.flush() if c.kind == "opened" and c.opened_at >= day_start
    )
    return false_alerts, posts + len(batch)


def run(*, quick: bool) -> dict[str, Any]:
    trials = 5 if quick else 30
    with tempfile.TemporaryDirectory(prefix="veille-bench-alerts-") as scratch:
        idle, _rate = asyncio.run(
            _latencies(trials=max(3, trials // 3), load=False, data_dir=Path(scratch) / "idle")
        )
        loaded, achieved = asyncio.run(
            _latencies(trials=trials, load=True, data_dir=Path(scratch) / "loaded")
        )
    false_alerts, quiet_posts = _quiet_day_false_spikes(quick=quick)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    p95, p95_idle = pct(loaded, 0.95), pct(idle, 0.95)
    print(
        f"alerts: latency p50 {pct(loaded, 0.5):.2f} s, p95 {p95:.2f} s under {achieved:.0f} posts/s "
        f"(idle p95 {p95_idle:.2f} s); quiet day: {false_alerts} false spikes over {quiet_posts} posts",
        file=sys.stderr,
    )
    return {
        "bench": "alerts",
        "metric": "alert_latency_p95_s",
        "value": round(p95, 3),
        "unit": "s",
        "baseline": round(p95_idle, 3),
        "ratio": round(p95 / p95_idle, 3) if p95_idle else None,
        "goal": GOAL_P95_S,
        "p50": round(pct(loaded, 0.5), 3),
        "p95": round(p95, 3),
        "p99": round(pct(loaded, 0.99), 3),
        "mean": round(statistics.fmean(loaded), 3),
        "trials": len(loaded),
        "background_posts_per_s": round(achieved, 1),
        "background_goal_posts_per_s": LOAD_POSTS_PER_S,
        "false_alerts_quiet_day": false_alerts,
        "false_alerts_goal": 0,
        "quiet_day_posts": quiet_posts,
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }

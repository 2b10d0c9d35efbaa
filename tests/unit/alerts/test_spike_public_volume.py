"""``volume_spike`` measures the public's volume: a brand's own announcement reposted a dozen times on
an ordinary morning (the quiet day's false spike) is not an unusual volume; the same number of the
public's own posts is."""

from __future__ import annotations

from datetime import UTC, datetime

from veille.alerts import AlertEngine, Change, EngineRule, RuleSpec
from veille.model import Post

START = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp())
DAY = 86_400


def _post(post_id: str, second: int, handle: str, **fields: object) -> Post:
    values = {
        "id": f"x:{post_id}",
        "source": "x",
        "created_at": datetime.fromtimestamp(second, UTC),
        "text": "Nova Mobile",
        "author": {"handle": handle},
    }
    values.update(fields)
    return Post.model_validate(values)


def _history() -> list[Post]:
    """Three days of one post every 20 minutes on the topic."""
    return [
        _post(f"h{second}", second, f"user{second % 97}") for second in range(START, START + 3 * DAY, 1200)
    ]


def _opened(posts: list[Post], *, accounts: set[tuple[str, str]] = frozenset()) -> list[Change]:  # type: ignore[assignment]
    rule = RuleSpec(name="spike", kind="volume_spike", query="nova", window_s=600)
    engine = AlertEngine([EngineRule("spike", rule)], accounts=accounts)
    changes = engine.observe(posts) + engine.flush()
    return [change for change in changes if change.kind == "opened"]


def _burst(start: int, *, brand: str | None) -> list[Post]:
    """A burst of 24 posts in ten minutes: reposts of a brand's announcement, or the public's own."""
    posts: list[Post] = []
    if brand:
        posts.append(_post("announce", start, brand, text="New: Nova Mobile is coming to your area!"))
    for index in range(24):
        second = start + 10 + index * 20
        if brand:
            posts.append(
                _post(f"rt{index}", second, f"fan{index}", repost_of="x:announce", text="RT Nova Mobile")
            )
        else:
            posts.append(_post(f"own{index}", second, f"angry{index}", text="Nova Mobile down again"))
    return posts


def test_a_reposted_brand_announcement_is_not_a_spike() -> None:
    burst_at = START + 3 * DAY + 9 * 3600
    history = _history()
    # The brand marked by the registry on ingestion (the pipeline's stage sets is_brand_account)…
    burst = _burst(burst_at, brand="NovaTelecom_GB")
    burst[0].is_brand_account = True
    assert _opened(history + burst) == []
    # …or one of the hub's own accounts, known to the engine.
    assert (
        _opened(history + _burst(burst_at, brand="NovaTelecom_GB"), accounts={("x", "novatelecom_gb")}) == []
    )
    # Without knowing the brand, the same burst is a spike: the test can fail.
    assert len(_opened(history + _burst(burst_at, brand="NovaTelecom_GB"))) == 1


def test_the_publics_own_burst_is_a_spike() -> None:
    burst_at = START + 3 * DAY + 9 * 3600
    [opened] = _opened(_history() + _burst(burst_at, brand=None), accounts={("x", "novatelecom_gb")})
    assert opened.figures["volume"] >= 20 and opened.figures["ratio"] >= 3

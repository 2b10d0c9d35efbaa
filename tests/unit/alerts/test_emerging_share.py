"""``emerging_term`` reads shares of the topic's volume, as the trends do: a crisis that multiplies
every post tenfold does not make its common words emerge; a word whose share rises does."""

from __future__ import annotations

from datetime import UTC, datetime

from veille.alerts import AlertEngine, EngineRule, RuleSpec
from veille.model import Post

START = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())


def _post(index: int, second: int, text: str) -> Post:
    return Post.model_validate(
        {
            "id": f"x:{index}",
            "source": "x",
            "created_at": datetime.fromtimestamp(second, UTC),
            "text": text,
            "author": {"handle": f"user{index % 40}"},
        }
    )


def test_common_words_do_not_emerge_when_all_volume_rises() -> None:
    rule = RuleSpec(name="terms", kind="emerging_term", query="tonight", window_s=900, threshold=10)
    engine = AlertEngine([EngineRule("terms", rule)])
    posts: list[Post] = []
    index = 0
    # Six hours of history: 40 posts an hour, half about the network, half about the weather.
    for second in range(START, START + 6 * 3600, 90):
        index += 1
        text = f"network slow tonight {index}" if index % 2 else f"weather sunny tonight {index}"
        posts.append(_post(index, second, text))
    crisis = START + 6 * 3600
    # Fifteen minutes ten times busier: still half about the network, and a quarter say "outage".
    for second in range(crisis, crisis + 900, 9):
        index += 1
        if index % 4 == 0:
            text = f"network outage tonight {index}"
        elif index % 2:
            text = f"network slow tonight {index}"
        else:
            text = f"weather sunny tonight {index}"
        posts.append(_post(index, second, text))
    changes = engine.observe(posts) + engine.flush()
    opened = [change for change in changes if change.kind == "opened"]
    assert len(opened) == 1 and opened[0].opened_at.timestamp() >= crisis
    seen = {item["term"] for change in changes for item in change.figures.get("terms", [])}
    assert "outage" in seen
    assert not {"network", "tonight", "weather", "slow", "sunny"} & seen
    crisis_network = sum(
        1 for post in posts if post.created_at.timestamp() >= crisis and "network" in post.text
    )
    assert crisis_network == 75  # 7.5 times its posts per quarter hour, at a share from 50 % to 75 %

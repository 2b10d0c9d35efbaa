"""The simulator's rising questions: a trickle before the rise, a growing share after it, written in
each post's language, asked (the radar's detector reads them as questions) and never by our accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from veille.demo.simulator import RisingQuestions, generate_history
from veille.editorial.questions import is_question

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
RISE = END - timedelta(hours=8)
WORDS = ("esim", "eSIM")


def _esim_transfers(posts: list, start: datetime, end: datetime) -> int:
    return sum(
        1
        for post in posts
        if start <= post.created_at < end
        and not post.reply_to
        and any(word in post.text for word in WORDS)
        and any(part in post.text.lower() for part in ("transf", "übertr", "move", "pasar"))
    )


def test_questions_rise_after_the_start() -> None:
    rising = RisingQuestions(start=RISE, ramp_hours=2)
    assert rising.share_at((RISE - timedelta(hours=1)).timestamp()) == rising.before
    assert rising.share_at((RISE + timedelta(hours=3)).timestamp()) == pytest.approx(rising.peak)
    posts = list(
        generate_history(END - timedelta(hours=16), END, seed=2, rate_per_min=6, stretch=False, rising=rising)
    )
    before = _esim_transfers(posts, RISE - timedelta(hours=8), RISE)
    after = _esim_transfers(posts, RISE, END)
    assert after > 5 * max(before, 1)
    asked = [p for p in posts if p.created_at >= RISE and any(w in p.text for w in WORDS) and not p.reply_to]
    assert all(is_question(p.text, p.lang) for p in asked[:50])
    assert {p.lang for p in asked} >= {"fr", "en"}


def test_without_rising_the_history_is_unchanged() -> None:
    plain = [
        p.text for p in generate_history(END - timedelta(hours=1), END, seed=4, rate_per_min=5, stretch=False)
    ]
    again = [
        p.text
        for p in generate_history(
            END - timedelta(hours=1), END, seed=4, rate_per_min=5, stretch=False, rising=None
        )
    ]
    assert plain == again
    assert not any("eSIM" in text and "transf" in text.lower() for text in plain)

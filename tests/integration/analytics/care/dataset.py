"""Hand-made brand accounts and posts with known delays, covering every rule of the care spec.

The window is the week of Monday 2026-11-02 (UTC); the previous period is the week before. Paris is
UTC+1 in November (DST ended on 2026-10-25).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from veille.accounts import AccountSpec, BusinessHours
from veille.model import Post

from .oracle import utc

__all__ = ["ACCOUNTS", "END", "PREVIOUS_START", "START", "build_posts"]

START = utc("2026-11-02T00:00:00")
END = utc("2026-11-09T00:00:00")
PREVIOUS_START = utc("2026-10-26T00:00:00")

PARIS_WEEKDAYS = BusinessHours(
    timezone="Europe/Paris", days=("mon", "tue", "wed", "thu", "fri"), start="09:00", end="18:00"
)

ACCOUNTS: list[AccountSpec] = [
    AccountSpec(
        platform="x",
        handle="NovaTelecom_FR",
        brand="Nova Telecom",
        country="FR",
        ours=True,
        business_hours=PARIS_WEEKDAYS,
    ),
    AccountSpec(platform="x", handle="@NovaCare", brand="Nova Telecom", country=None, ours=True),
    AccountSpec(
        platform="x",
        handle="HelixTelecom_FR",
        brand="Helix Telecom",
        country="FR",
        business_hours=BusinessHours(
            timezone="Europe/Paris", days=("mon", "tue", "wed", "thu", "fri"), start="09:00", end="17:00"
        ),
    ),
    AccountSpec(
        platform="bluesky", handle="helixtelecom-fr.bsky.social", brand="Helix Telecom", country="FR"
    ),
    AccountSpec(
        platform="x",
        handle="SiroccoTelecom_SN",
        brand="Sirocco Telecom",
        country="SN",
        business_hours=BusinessHours(
            timezone="Africa/Dakar",
            days=("mon", "tue", "wed", "thu", "fri", "sat"),
            start="08:00",
            end="18:00",
        ),
    ),
    AccountSpec(platform="x", handle="OrbisMobile", brand="Orbis Mobile", country="GB"),
]


class _Posts:
    def __init__(self) -> None:
        self.items: list[Post] = []
        self._count = 0

    def add(
        self,
        author: str,
        at: datetime,
        text: str,
        *,
        source: str = "x",
        reply_to: Post | None = None,
        repost_of: Post | None = None,
        country: str | None = None,
        topics: tuple[str, ...] = (),
    ) -> Post:
        self._count += 1
        body: dict[str, Any] = {
            "id": f"{source}:{self._count}",
            "source": source,
            "created_at": at.isoformat(),
            "text": text,
            "author": {"handle": author},
            "reply_to": reply_to.id if reply_to else None,
            "repost_of": repost_of.id if repost_of else None,
            "country": country,
            "topics": [{"name": name} for name in topics],
        }
        post = Post.model_validate(body)
        self.items.append(post)
        return post

    def reply(
        self, author: str, to: Post, after_s: float, text: str = "We are on it, sorry!", **kw: Any
    ) -> Post:
        return self.add(
            author, to.created_at + timedelta(seconds=after_s), text, source=to.source, reply_to=to, **kw
        )


def build_posts() -> list[Post]:
    p = _Posts()
    monday = utc("2026-11-02T10:00:00")  # 11:00 in Paris

    # A mention answered twice: the first response counts (600 s).
    p1 = p.add("alice", monday, "@NovaTelecom_FR my fibre is down again", topics=("outage",))
    r1 = p.reply("NovaTelecom_FR", p1, 600, "@alice sorry, we are checking")
    p.reply("NovaTelecom_FR", p1, 1200, "@alice fixed now?")
    # A repost is never inbound, even with the handle in its text.
    p.add("dave", monday + timedelta(minutes=5), "RT @NovaTelecom_FR: my fibre is down again", repost_of=p1)
    # An address glued to a word is no mention.
    p.add("erin", monday + timedelta(minutes=7), "write to support bob@NovaTelecom_FR please")
    # Two brand accounts in one post: inbound for each (Nova 3960 s, Helix 300 s).
    p2 = p.add(
        "bob",
        utc("2026-11-03T08:00:00"),
        "@NovaTelecom_FR or @HelixTelecom_FR: who has the better 5G?",
        topics=("network",),
    )
    p.reply("NovaTelecom_FR", p2, 3960)
    p.reply("HelixTelecom_FR", p2, 300)
    # A thread: each customer post that replies to the brand is inbound, answered or not.
    p3 = p.reply(
        "alice", r1, 900, "still nothing, third day without internet", topics=("outage",)
    )  # reply to B
    r3 = p.reply("NovaTelecom_FR", p3, 7200, "@alice a technician comes tomorrow")
    p4 = p.reply("alice", r3, 60, "tomorrow when??")  # inbound, never answered
    p5 = p.reply("alice", p4, 30, "hello?")  # replies to her own post: not inbound
    p.reply("NovaTelecom_FR", p5, 50, "@alice between 8 and 12")  # answers p5, not p4
    # Same brand is not inbound; a competitor's account writing to us is.
    p.add("NovaCare", utc("2026-11-03T09:00:00"), "@NovaTelecom_FR please take this one")
    p6 = p.add("HelixTelecom_FR", utc("2026-11-03T09:30:00"), "@NovaTelecom_FR congrats on the launch")
    p.reply("NovaTelecom_FR", p6, 3600, "@HelixTelecom_FR thanks!")  # exactly the SLA: within (≤)
    # Lower case mention, answered after the window's end (Sunday night -> Monday).
    p7 = p.add("frank", utc("2026-11-08T22:00:00"), "hey @novatelecom_fr are you there?", country="BE")
    p.reply("NovaTelecom_FR", p7, 11 * 3600 + 45 * 60)  # Monday 09:45Z
    # A reply to a NovaCare post without mention is inbound for NovaCare.
    care_post = p.add("NovaCare", utc("2026-11-04T12:00:00"), "Our shops open on Sunday this week.")
    p8 = p.reply("gina", care_post, 120, "which ones?")
    p.reply("NovaCare", p8, 240, "@gina all of them")
    p.reply("henri", p8, 10, "the big ones I guess")  # a customer's reply is no response
    # Business hours across a weekend, answered after the window: Friday 17:30 -> Monday 09:45 Paris.
    # Helix (09:00-17:00) counts 45 min = 2700 s; Nova (09:00-18:00) 30 + 45 min = 4500 s.
    p9 = p.add("ivan", utc("2026-11-06T16:30:00"), "@HelixTelecom_FR my phone is blocked")
    p.reply("HelixTelecom_FR", p9, (utc("2026-11-09T08:45:00") - utc("2026-11-06T16:30:00")).total_seconds())
    p10 = p.add("ivan", utc("2026-11-06T16:30:00"), "@NovaTelecom_FR my phone is blocked too")
    p.reply("NovaTelecom_FR", p10, (utc("2026-11-09T08:45:00") - utc("2026-11-06T16:30:00")).total_seconds())
    # Bluesky: the bluesky account's handle; an X handle mentioned on Bluesky is nobody there.
    p11 = p.add(
        "jane.bsky.social",
        utc("2026-11-05T14:00:00"),
        "@helixtelecom-fr.bsky.social no signal in Lyon.",
        source="bluesky",
    )
    p.reply("helixtelecom-fr.bsky.social", p11, 1800)
    p.add(
        "kim.bsky.social",
        utc("2026-11-05T15:00:00"),
        "@HelixTelecom_FR are you on bluesky?",
        source="bluesky",
    )
    # An account with inbound posts and no response at all.
    p12 = p.add("lamine", utc("2026-11-04T09:00:00"), "@SiroccoTelecom_SN réseau coupé à Dakar", country="SN")
    p.reply("moussa", p12, 100, "pareil ici")
    p.add("lamine", utc("2026-11-07T09:00:00"), "@SiroccoTelecom_SN toujours rien", country="SN")
    # Previous period: Nova answers slower, one post outside both periods, one after the window.
    p13 = p.add("nora", utc("2026-10-27T10:00:00"), "@NovaTelecom_FR billing error")
    p.reply("NovaTelecom_FR", p13, 5400)
    p14 = p.add("omar", utc("2026-10-30T16:00:00"), "@NovaTelecom_FR @NovaCare no refund yet")
    p.reply("NovaCare", p14, 200)
    p.add("paul", utc("2026-10-20T10:00:00"), "@NovaTelecom_FR way too early")
    p.add("quinn", utc("2026-11-09T10:00:00"), "@NovaTelecom_FR next week")
    return p.items

"""What a query can see of a post, read once and shared by every query (spec §1 and §6).

A :class:`PostView` holds the post's tokens (folded and as written), their positions, hashtags,
mentions and cashtags with the tokens they cover, links, the title and the author's display name as
tokens, and the metadata the fields compare. Look-alike letters of mixed tokens are folded
(:mod:`veille.query.confusables`) so that ``nоva`` with a Cyrillic ``о`` is the word *nova*.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

from veille.model import Post
from veille.query.confusables import has_look_alike, skeleton
from veille.query.emoji import EMOJI_RE, emoji_keys
from veille.text import extract_hashtags, extract_mentions, fold, host_of, token_columns, url_spans

__all__ = ["Occurrence", "PostView", "Span", "post_title", "view_post", "view_text"]

Span = tuple[int, int]
# (first token index, last token index, span in characters); token indexes are -1 when a hashtag or
# mention holds no token (``#__``), which then cannot take part in a NEAR.
Occurrence = tuple[int, int, Span]

# `$TSLA`, `$BRK.B`: the rule of veille.enrich.entities (letters only, so `$100` is no cashtag).
_CASHTAG_RE = re.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w])")
# Sources whose connectors put a title first in the text, followed by a blank line and the body.
_TITLED_SOURCES = frozenset(["rss", "reddit", "hackernews"])


@dataclass(slots=True)
class PostView:
    """What a query can see of a post; built once per post and shared by all queries."""

    text: str
    folded: list[str]
    starts: list[int]
    ends: list[int]
    positions: dict[str, list[int]]
    hashtags: dict[str, list[Occurrence]]
    mentions: dict[str, list[Occurrence]]
    # (lower-case url, host, span in the text or None for the post url and stored links)
    links: list[tuple[str, str | None, Span | None]]
    author: str | None = None
    lang: str | None = None
    country: str | None = None
    source: str | None = None
    followers: int | None = None
    flags: frozenset[str] = frozenset()
    sentiment: str | None = None
    raw_tokens: list[str] = field(default_factory=list)
    cashtags: dict[str, list[Occurrence]] = field(default_factory=dict)
    # What has: answers: links, hashtags, mentions, cashtags, geo.
    has: frozenset[str] = frozenset()
    # The title as folded tokens; its spans in the text when the title is the text's first paragraph.
    title: list[str] = field(default_factory=list)
    title_spans: list[Span] | None = None
    # The author's display name as folded tokens.
    name: list[str] = field(default_factory=list)
    _raw: list[str] | None = None
    _raw_positions: dict[str, list[int]] | None = None
    _vocabulary: list[str] | None = None
    _emoji: dict[str, list[Span]] | None = None

    @property
    def raw(self) -> list[str]:
        """The tokens as written, NFC-normalised, for ``{…}`` forms (built on first use)."""
        if self._raw is None:
            # ASCII text is NFC already.
            self._raw = self.raw_tokens if self.text.isascii() else [_nfc(token) for token in self.raw_tokens]
        return self._raw

    @property
    def raw_positions(self) -> dict[str, list[int]]:
        if self._raw_positions is None:
            table: dict[str, list[int]] = {}
            for index, token in enumerate(self.raw):
                table.setdefault(token, []).append(index)
            self._raw_positions = table
        return self._raw_positions

    @property
    def vocabulary(self) -> list[str]:
        """The distinct folded tokens, sorted (prefix look-ups by bisection; built on first use)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self.positions)
        return self._vocabulary

    @property
    def emoji(self) -> dict[str, list[Span]]:
        """Each emoji of the text (variation selectors removed, and without skin tone too) -> its spans."""
        if self._emoji is None:
            table: dict[str, list[Span]] = {}
            if not self.text.isascii():
                for hit in EMOJI_RE.finditer(self.text):
                    for key in emoji_keys(hit.group()):
                        table.setdefault(key, []).append(hit.span())
            self._emoji = table
        return self._emoji

    @property
    def hosts(self) -> list[str]:
        return [host for _, host, _ in self.links if host]


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _tag_occurrences(
    found: list[tuple[str, Span]], starts: list[int], ends: list[int]
) -> dict[str, list[Occurrence]]:
    table: dict[str, list[Occurrence]] = {}
    for value, (start, end) in found:
        first = bisect_left(starts, start)
        last = first
        while last < len(starts) and ends[last] <= end:
            last += 1
        occurrence = (first, last - 1, (start, end)) if last > first else (-1, -1, (start, end))
        table.setdefault(value, []).append(occurrence)
    return table


def _cashtags(text: str, holes: list[Span]) -> list[tuple[str, Span]]:
    found = []
    for hit in _CASHTAG_RE.finditer(text):
        if any(start <= hit.start() < end for start, end in holes):
            continue
        found.append((hit.group(1).lower(), hit.span()))
    return found


def _skeleton_tags(found: list[tuple[str, Span]], text: str) -> list[tuple[str, Span]]:
    """Tags with look-alike letters folded (the tag as written, after its '#' or '@')."""
    return [(fold(skeleton(text[start + 1 : end])), (start, end)) for _, (start, end) in found]


def _words(text: str | None) -> list[str]:
    if not text:
        return []
    raw, folded, _, _ = token_columns(text)
    if not text.isascii() and has_look_alike(text):
        return [fold(skeleton(token)) for token in raw]
    return folded


def view_text(
    text: str,
    *,
    url: str | None = None,
    links: list[str] | tuple[str, ...] = (),
    author: str | None = None,
    author_name: str | None = None,
    title: str | None = None,
    lang: str | None = None,
    country: str | None = None,
    source: str | None = None,
    followers: int | None = None,
    flags: frozenset[str] = frozenset(),
    sentiment: str | None = None,
    geo: bool = False,
) -> PostView:
    """A view from plain values (tests, the CLI); :func:`view_post` is the usual entry point.

    ``title`` is the post's title: when the text starts with it, its words keep their spans.
    ``geo`` says the platform located the post (``has:geo``).
    """
    raw_tokens, folded, starts, ends = token_columns(text)
    look_alikes = not text.isascii() and has_look_alike(text)
    if look_alikes:
        for index, token in enumerate(raw_tokens):
            replaced = skeleton(token)
            if replaced is not token and replaced != token:
                raw_tokens[index] = replaced
                folded[index] = fold(replaced)
    positions: dict[str, list[int]] = {}
    for index, token in enumerate(folded):
        if token in positions:
            positions[token].append(index)
        else:
            positions[token] = [index]
    holes: list[Span] | None = None
    hashtags: dict[str, list[Occurrence]] = {}
    mentions: dict[str, list[Occurrence]] = {}
    cashtags: dict[str, list[Occurrence]] = {}
    if "#" in text or "@" in text or "$" in text:
        holes = url_spans(text)
        found_tags = extract_hashtags(text, holes)
        found_mentions = extract_mentions(text, holes)
        if look_alikes:
            found_tags, found_mentions = (
                _skeleton_tags(found_tags, text),
                _skeleton_tags(found_mentions, text),
            )
        hashtags = _tag_occurrences(found_tags, starts, ends) if found_tags else {}
        mentions = _tag_occurrences(found_mentions, starts, ends) if found_mentions else {}
        if "$" in text:
            found_cashtags = _cashtags(text, holes)
            cashtags = _tag_occurrences(found_cashtags, starts, ends) if found_cashtags else {}
    link_rows: list[tuple[str, str | None, Span | None]] = []
    if "http" in text or "www" in text or "HTTP" in text or "WWW" in text:
        for start, end in holes if holes is not None else url_spans(text):
            found = text[start:end]
            link_rows.append((found.lower(), host_of(found), (start, end)))
    has_links = bool(link_rows) or bool(links)
    for extra in [url, *links] if url else links:
        link_rows.append((extra.lower(), host_of(extra), None))
    title_tokens: list[str] = []
    title_spans: list[Span] | None = None
    if title:
        if text.startswith(title):
            count = bisect_left(ends, len(title) + 1)
            title_tokens = folded[:count]
            title_spans = [(starts[index], ends[index]) for index in range(count)]
        else:
            title_tokens = _words(title)
    has = {
        name
        for name, present in (
            ("links", has_links),
            ("hashtags", bool(hashtags)),
            ("mentions", bool(mentions)),
            ("cashtags", bool(cashtags)),
            ("geo", geo),
        )
        if present
    }
    return PostView(
        text=text,
        folded=folded,
        starts=starts,
        ends=ends,
        positions=positions,
        hashtags=hashtags,
        mentions=mentions,
        links=link_rows,
        # The handle is folded like a mention so that ``author:`` ignores case and accents.
        author=fold(skeleton(author.removeprefix("@"))) if author else None,
        lang=lang.lower() if lang else None,
        country=country.upper() if country else None,
        source=source.lower() if source else None,
        followers=followers,
        flags=flags,
        sentiment=sentiment,
        raw_tokens=raw_tokens,
        cashtags=cashtags,
        has=frozenset(has),
        title=title_tokens,
        title_spans=title_spans,
        name=_words(author_name),
    )


def post_title(post: Post) -> str | None:
    """The post's title: ``extra["title"]`` when a client sent one, else the first paragraph of the
    text on sources whose connectors put the title there (RSS entries, Reddit submissions, Hacker
    News stories); comments and the other platforms' posts have none."""
    given = post.extra.get("title") if post.extra else None
    if isinstance(given, str) and given.strip():
        return given
    if post.source not in _TITLED_SOURCES or post.reply_to is not None:
        return None
    if post.source == "reddit" and post.extra.get("reddit_kind") not in (None, "t3"):
        return None
    return post.text.split("\n\n", 1)[0]


def view_post(post: Post) -> PostView:
    """Read ``post`` once for matching (text, entities, links, author and enrichment)."""
    flags = set()
    if post.reply_to:
        flags.add("reply")
    if post.repost_of:
        flags.add("repost")
    if post.quote_of:
        flags.add("quote")
    if post.author.verified:
        flags.add("verified")
    # has:geo: the platform located the post (not the enrichment's guess from the author's profile).
    geo = post.country is not None and post.entities.get("country_from", "platform") == "platform"
    return view_text(
        post.text,
        url=post.url,
        links=post.links,
        author=post.author.handle,
        author_name=post.author.name,
        title=post_title(post),
        lang=post.lang,
        country=post.country,
        source=post.source,
        followers=post.author.followers,
        flags=frozenset(flags),
        sentiment=post.sentiment.label if post.sentiment else None,
        geo=geo,
    )

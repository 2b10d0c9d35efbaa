"""HTML to plain text at a source's edge (Mastodon ``content``, feed summaries, YouTube ``textDisplay``).

Post text is untrusted data: this never evaluates anything, it only keeps the character data, turns
``<br>`` and block ends into line breaks, drops ``<script>``/``<style>`` content, decodes entities and
collects the outbound links (``href`` of ``<a>`` elements that are not mentions or hashtags).
Mastodon shortens long links for display with ``<span class="invisible">`` pieces; their text is kept
so the URL in the text is the whole URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["HtmlText", "html_to_text"]

_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
)
_SKIPPED = frozenset({"script", "style", "template", "head", "title"})
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


@dataclass(slots=True)
class HtmlText:
    text: str
    links: list[str] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            attributes = dict(attrs)
            href = attributes.get("href") or ""
            classes = (attributes.get("class") or "").split()
            rel = (attributes.get("rel") or "").split()
            is_tag_or_mention = (
                "mention" in classes or "hashtag" in classes or "tag" in rel or "u-url" in classes
            )
            if href.startswith(("http://", "https://")) and not is_tag_or_mention and href not in self.links:
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "p":
            self.parts.append("\n\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> HtmlText:
    """Plain text (paragraphs separated by a blank line, spaces collapsed) and outbound links."""
    extractor = _Extractor()
    extractor.feed(markup)
    extractor.close()
    joined = "".join(extractor.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in joined.split("\n")]
    text = _MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()
    return HtmlText(text=text, links=extractor.links)

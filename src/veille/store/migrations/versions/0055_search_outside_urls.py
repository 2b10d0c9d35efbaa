"""Full-text search no longer matches words inside URLs; ``link:`` searches links: the stored index is rebuilt.

``posts.search_text`` used to hold every folded token of the text, URLs included; it now holds the
tokens outside URLs, then the tokens of the post's links (URLs of the text and ``links``) marked as
link words (``veille.store.fulltext.searchable_text``, here ``indexed_text`` of the stored text and
links). Only posts whose text holds a URL or that
have links change, so only those are read (a ``LIKE`` on the text and a test of ``links`` in the
document) and rewritten, in batches by write sequence. Rewriting the column is the reindex: on
PostgreSQL the generated ``search_tsv`` column follows it, on SQLite the FTS5 triggers replace the
post's entry in ``posts_fts``.

Why a migration and not a command: search answers are wrong (URL slugs match, ``link:`` misses
older posts) until the rebuild, and a migration runs once, by itself, when the hub or any command
opens the store; it touches only posts with URLs or links (16 s per 100,000 of them on SQLite,
measured on the project machine under a load of 16). Unlike the query rewrite of ``0052``, this migration uses today's
``searchable_text`` on purpose: it brings the index to what the write path writes, and a later
change of that rule comes with its own reindex (running this one on the newer rule then only does
that work twice).

Revision ID: 0055_search_outside_urls
Revises: 0054_dashboards
"""

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0055_search_outside_urls"
down_revision = "0054_dashboards"
branch_labels = None
depends_on = None

_BATCH = 2000
_posts = sa.table(
    "posts",
    sa.column("seq", sa.BigInteger),
    sa.column("text", sa.Text),
    sa.column("search_text", sa.Text),
    sa.column("doc", sa.Text),
)


def _has_links(dialect: str) -> Any:
    if dialect == "postgresql":
        return sa.text("(posts.doc -> 'links') IS NOT NULL AND (posts.doc -> 'links') <> '[]'::jsonb")
    return sa.text("coalesce(json_extract(posts.doc, '$.links'), '[]') <> '[]'")


def _reindex(rule: Callable[[str, list[str]], str]) -> None:
    """Rewrite ``search_text`` by ``rule(text, links)`` for every post whose text has a URL or with links."""
    bind = op.get_bind()
    lowered = sa.func.lower(_posts.c.text)
    candidates = sa.or_(lowered.like("%http%"), lowered.like("%www.%"), _has_links(bind.dialect.name))
    update = (
        _posts.update()
        .where(_posts.c.seq == sa.bindparam("target"))
        .values(search_text=sa.bindparam("new_text"))
    )
    last = -1
    while True:
        rows = bind.execute(
            sa.select(_posts.c.seq, _posts.c.text, _posts.c.search_text, _posts.c.doc)
            .where(_posts.c.seq > last, candidates)
            .order_by(_posts.c.seq)
            .limit(_BATCH)
        ).fetchall()
        if not rows:
            return
        changed = []
        for seq, text, old, doc in rows:
            document = json.loads(doc) if isinstance(doc, str) else doc
            links = document.get("links") if isinstance(document, dict) else None
            new = rule(text, [link for link in links or [] if isinstance(link, str)])
            if new != old:
                changed.append({"target": seq, "new_text": new})
        if changed:
            bind.execute(update, changed)
        last = int(rows[-1][0])


def _searchable(text: str, links: list[str]) -> str:
    from veille.store.fulltext import indexed_text

    return indexed_text(text, links)


def _all_words(text: str, _links: list[str]) -> str:
    from veille.text import folded_words

    return " ".join(folded_words(text))  # the rule before this revision


def upgrade() -> None:
    _reindex(_searchable)


def downgrade() -> None:
    _reindex(_all_words)

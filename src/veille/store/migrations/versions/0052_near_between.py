"""NEAR/n counts the tokens between (spec §3, changed on 2026-12-07): stored queries keep their meaning.

``NEAR/n`` used to allow at most ``n - 1`` tokens between its two operands (adjacent = ``NEAR/1``); it now
allows ``n`` (adjacent = ``NEAR/0``), as Brandwatch, Meltwater and Awario count. Every stored query is
rewritten ``NEAR/n`` → ``NEAR/(n-1)`` (``NEAR/nf`` → ``NEAR/(n-1)f``) so that no saved topic, and no
source saved through the API with a ``query``, matches anything else than before: the topics'
``query`` column and the ``query`` key of ``source_configs.config``.

Only what the old parser read as the operator changes: a bare word that is exactly ``NEAR/n``.
``NEAR/3`` inside a phrase, a ``{…}`` form or a quoted field value is text and stays. ``NEAR/0`` could
not be saved before, so a text holding one is left as it is. The downgrade is the exact inverse
(``NEAR/n`` → ``NEAR/(n+1)``). This file keeps its own copy of the rule
(``veille.query.rewrite.rewrite_near_for_new_convention`` is the same, and a test checks they agree):
a migration must not change when the code of today does.

Revision ID: 0052_near_between
Revises: 0050_rollup_indexes
"""

import re
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0052_near_between"
down_revision = "0050_rollup_indexes"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# What the old lexer read as one operand or operator: a run up to whitespace, a parenthesis, '"' or a brace.
_OLD_RUN_RE = re.compile(r'[^ \t\r\n\f\v()"{}]+')
_OLD_NEAR_RE = re.compile(r"NEAR/(\d+)([fF]?)")


def rewrite(query: str, change: int) -> str:
    """``query`` with each ``NEAR/n`` operator written ``NEAR/(n+change)``; phrases and {…} untouched."""
    pieces: list[str] = []
    position = 0
    length = len(query)
    while position < length:
        ch = query[position]
        if ch == '"' or ch == "{":
            closing = query.find('"' if ch == '"' else "}", position + 1)
            end = length if closing < 0 else closing + 1
            pieces.append(query[position:end])
            position = end
            continue
        run = _OLD_RUN_RE.match(query, position)
        if run is None:  # whitespace or a parenthesis
            pieces.append(ch)
            position += 1
            continue
        word = run.group()
        near = _OLD_NEAR_RE.fullmatch(word)
        if near is not None and int(near.group(1)) + change >= 0 and (change > 0 or int(near.group(1)) >= 1):
            word = f"NEAR/{int(near.group(1)) + change}{near.group(2)}"
        pieces.append(word)
        position = run.end()
    return "".join(pieces)


def _rewrite_all(change: int) -> None:
    bind = op.get_bind()
    topics = sa.table("topics", sa.column("name", sa.String), sa.column("query", sa.Text))
    rows = bind.execute(sa.select(topics.c.name, topics.c.query).where(topics.c.query.like("%NEAR/%")))
    for name, query in rows.fetchall():
        rewritten = rewrite(query, change)
        if rewritten != query:
            bind.execute(topics.update().where(topics.c.name == name).values(query=rewritten))
    inspector = sa.inspect(bind)
    if not inspector.has_table("source_configs"):
        return
    sources = sa.table("source_configs", sa.column("name", sa.String), sa.column("config", _JSON))
    for name, config in bind.execute(sa.select(sources.c.name, sources.c.config)).fetchall():
        text: Any = config.get("query") if isinstance(config, dict) else None
        if isinstance(text, str) and "NEAR/" in text:
            rewritten = rewrite(text, change)
            if rewritten != text:
                bind.execute(
                    sources.update()
                    .where(sources.c.name == name)
                    .values(config={**config, "query": rewritten})
                )


def upgrade() -> None:
    _rewrite_all(-1)


def downgrade() -> None:
    _rewrite_all(+1)

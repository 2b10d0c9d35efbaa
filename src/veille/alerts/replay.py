"""Drills: rules evaluated over a file of posts in event time, as the live engine would have.

:func:`read_rules` reads a rules file (a JSON array of rule specs, or ``{"rules": [...]}``);
:func:`replay` feeds posts to a fresh :class:`~veille.alerts.engine.AlertEngine` and yields what
would have fired: each opening, then escalations, reminders and ends (``updates``: every refresh).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pydantic import ValidationError

from veille.alerts.engine import AlertEngine, Change, EngineRule
from veille.alerts.models import RuleSpec
from veille.errors import Invalid, validation_message
from veille.model import Post

__all__ = ["read_rules", "replay"]

BATCH = 1000


def read_rules(path: Path) -> list[RuleSpec]:
    """The rules of ``path``; :class:`Invalid` names the rule (index and name) and the field."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise Invalid(f"{path}: {error}") from None
    except json.JSONDecodeError as error:
        raise Invalid(f"{path}: not JSON: {error}") from None
    items = document.get("rules") if isinstance(document, dict) else document
    if not isinstance(items, list) or not items:
        raise Invalid(f'{path}: expected a JSON array of rules (or {{"rules": [...]}})')
    rules: list[RuleSpec] = []
    for index, item in enumerate(items):
        name = item.get("name", "?") if isinstance(item, dict) else "?"
        try:
            rules.append(RuleSpec.model_validate(item))
        except ValidationError as error:
            raise Invalid(validation_message(error, f"{path}: rules[{index}] ({name}): ")) from None
    names = [rule.name for rule in rules]
    if len(set(names)) != len(names):
        raise Invalid(f"{path}: two rules are named {next(n for n in names if names.count(n) > 1)!r}")
    return rules


def replay(
    posts: Iterable[Post],
    rules: Iterable[RuleSpec],
    *,
    curated: Mapping[tuple[str, str], str] | None = None,
    accounts: Iterable[tuple[str, str]] = (),
    updates: bool = False,
) -> Iterator[Change]:
    """What the rules would have raised over ``posts`` (in the file's order)."""
    engine = AlertEngine([EngineRule(rule.name, rule) for rule in rules], curated=curated, accounts=accounts)
    batch: list[Post] = []

    def shown(changes: list[Change]) -> Iterator[Change]:
        return (change for change in changes if updates or change.kind != "updated")

    for post in posts:
        batch.append(post)
        if len(batch) >= BATCH:
            yield from shown(engine.observe(batch))
            batch = []
    yield from shown(engine.observe(batch))
    yield from shown(engine.flush())

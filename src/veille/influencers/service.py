"""The curated influencer list: validated create/update/delete, CSV import.

Plain functions with keyword-only arguments; errors are :class:`InfluencerError` naming the field
(or the line and column of an import file). A curated entry wins over what an author's profile says
(:mod:`veille.influencers.categories`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pydantic import ValidationError

from veille.csv_rows import ImportResult, data_rows
from veille.errors import Conflict, Invalid, NotFound, validation_message
from veille.influencers import repository
from veille.influencers.models import CSV_COLUMNS, CuratedInfluencer, InfluencerSpec
from veille.store.handle_registry import HandleRegistry
from veille.store.schema import curated_influencers
from veille.store.sql import SqlStore

__all__ = [
    "InfluencerConflict",
    "InfluencerError",
    "InfluencerNotFound",
    "create_influencer",
    "delete_influencer",
    "get_influencer",
    "import_influencers",
    "list_influencers",
    "parse_influencers_csv",
    "update_influencer",
]

_MAX_REPORTED_ERRORS = 20


class InfluencerError(Invalid):
    """A refused entry (HTTP 422); ``field`` names the field at fault."""


class InfluencerNotFound(InfluencerError, NotFound):
    """No entry with that id (HTTP 404)."""


class InfluencerConflict(InfluencerError, Conflict):
    """The account is already in the list (HTTP 409)."""


def _not_found(influencer_id: int) -> InfluencerNotFound:
    return InfluencerNotFound(f"no curated influencer with id {influencer_id}", field="id")


# -- reads ---------------------------------------------------------------------------------------


def _conflict(spec: InfluencerSpec, other_id: int | None) -> InfluencerConflict:
    where = "" if other_id is None else f" (id {other_id})"
    return InfluencerConflict(
        f"handle: {spec.platform}:@{spec.handle} is already in the curated list{where}", field="handle"
    )


_REGISTRY: HandleRegistry[InfluencerSpec, CuratedInfluencer] = HandleRegistry(
    curated_influencers,
    item=repository.influencer_from_row,
    values=repository.influencer_values,
    not_found=_not_found,
    conflict=_conflict,
)


def list_influencers(
    *, store: SqlStore, category: str | None = None, country: str | None = None
) -> list[CuratedInfluencer]:
    """Curated entries by platform and handle, optionally of one category and/or country."""
    return repository.list_influencers(store, category=category, country=country)


def get_influencer(*, store: SqlStore, influencer_id: int) -> CuratedInfluencer:
    return _REGISTRY.fetch(store.engine, influencer_id)


# -- writes --------------------------------------------------------------------------------------


def create_influencer(*, store: SqlStore, spec: InfluencerSpec) -> CuratedInfluencer:
    return _REGISTRY.create(store.engine, spec)


def update_influencer(*, store: SqlStore, influencer_id: int, spec: InfluencerSpec) -> CuratedInfluencer:
    """Replace an entry's fields (platform and handle may change, if no other entry has them)."""
    return _REGISTRY.replace(store.engine, influencer_id, spec)


def delete_influencer(*, store: SqlStore, influencer_id: int) -> None:
    _REGISTRY.remove(store.engine, influencer_id)


def import_influencers(*, store: SqlStore, specs: Sequence[InfluencerSpec]) -> ImportResult:
    """Add each entry, or update the one with the same platform and handle, in one transaction, so
    importing the same file twice changes nothing."""
    return ImportResult(*_REGISTRY.import_all(store.engine, specs))


# -- CSV -----------------------------------------------------------------------------------------


def parse_influencers_csv(text: str) -> list[InfluencerSpec]:
    """Read ``platform,handle,category,country,name`` CSV (``country`` and ``name`` may be empty).

    Every error names its line (1 is the header) and column; all of them are reported at once (up
    to 20) and nothing is returned when there is one. A handle given twice is an error.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise InfluencerError(f"line 1: empty file (expected the header {','.join(CSV_COLUMNS)})") from None
    except csv.Error as error:
        raise InfluencerError(f"line 1: {error}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in CSV_COLUMNS[:3] if name not in names]
    unknown = [name for name in names if name not in CSV_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        raise InfluencerError(
            f"line 1 (header): expected {','.join(CSV_COLUMNS)} (country and name optional), got {','.join(names)}"
        )
    errors: list[str] = []
    specs: list[InfluencerSpec] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in data_rows(reader, len(names), errors):
        try:
            spec = InfluencerSpec.model_validate(dict(zip(names, row, strict=True)))
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else "handle"
                errors.append(f"line {line}, column {validation_message([{**item, 'loc': (column,)}])}")
            continue
        if spec.key in seen:
            errors.append(
                f"line {line}, column handle: {spec.handle!r} already given on line {seen[spec.key]}"
            )
            continue
        seen[spec.key] = line
        specs.append(spec)
    if errors:
        shown = errors[:_MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise InfluencerError("; ".join(shown) + (f"; and {more} more error(s)" if more else ""))
    return specs

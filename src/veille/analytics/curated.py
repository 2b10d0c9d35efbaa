"""The curated list of influencers that analysts maintain: who is a journalist, a blogger, an elected
representative or a brand, whatever their profile says (migration ``0040_influencers``).

A curated entry wins over the profile keywords of :mod:`veille.analytics.influence`. Plain functions
with keyword-only arguments; errors are :class:`InfluencerError` naming the field (or the line and
column of an import file).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from veille.accounts.models import handle_key
from veille.clock import from_us, now_us
from veille.csv_rows import data_rows
from veille.model import format_rfc3339
from veille.store.schema import curated_influencers
from veille.store.sql import SqlStore

__all__ = [
    "CATEGORIES",
    "CSV_COLUMNS",
    "CuratedInfluencer",
    "InfluencerConflict",
    "InfluencerError",
    "InfluencerNotFound",
    "InfluencerSpec",
    "create_influencer",
    "curated_influencers",
    "delete_influencer",
    "get_influencer",
    "import_influencers",
    "list_influencers",
    "parse_influencers_csv",
    "spec_from_json",
    "update_influencer",
]

CATEGORIES: tuple[str, ...] = ("journalist", "blogger", "elected", "brand", "other")
CSV_COLUMNS: tuple[str, ...] = ("platform", "handle", "category", "country", "name")
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_MAX_REPORTED_ERRORS = 20


class InfluencerError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InfluencerNotFound(InfluencerError):
    pass


class InfluencerConflict(InfluencerError):
    pass


@dataclass(frozen=True, slots=True)
class InfluencerSpec:
    """What an analyst states about one account (validated on creation)."""

    platform: str
    handle: str
    category: str
    country: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if not _PLATFORM_RE.match(self.platform):
            raise InfluencerError(
                f"platform: {self.platform!r} is not a platform name (lower case, such as x or bluesky)",
                field="platform",
            )
        if not handle_key(self.handle) or len(self.handle) > 200 or any(ch.isspace() for ch in self.handle):
            raise InfluencerError(f"handle: {self.handle!r} is not a handle", field="handle")
        if self.category not in CATEGORIES:
            raise InfluencerError(
                f"category: {self.category!r} is not one of {', '.join(CATEGORIES)}", field="category"
            )
        if self.country is not None and not _COUNTRY_RE.match(self.country):
            raise InfluencerError(
                f"country: {self.country!r} is not an ISO 3166 code such as FR", field="country"
            )
        if self.name is not None and len(self.name) > 200:
            raise InfluencerError("name: longer than 200 characters", field="name")

    @classmethod
    def of(
        cls, *, platform: str, handle: str, category: str, country: str | None = None, name: str | None = None
    ) -> InfluencerSpec:
        """A spec from loose input: trimmed, platform and category lower case, country upper case."""
        return cls(
            platform=platform.strip().lower(),
            handle=handle.strip().removeprefix("@"),
            category=category.strip().lower(),
            country=(country or "").strip().upper() or None,
            name=(name or "").strip() or None,
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, handle_key(self.handle)


@dataclass(frozen=True, slots=True)
class CuratedInfluencer:
    id: int
    platform: str
    handle: str
    category: str
    country: str | None
    name: str | None
    created_us: int
    updated_us: int

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, handle_key(self.handle)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "handle": self.handle,
            "category": self.category,
            "country": self.country,
            "name": self.name,
            "created_at": format_rfc3339(from_us(self.created_us)),
            "updated_at": format_rfc3339(from_us(self.updated_us)),
        }


def spec_from_json(body: Any) -> InfluencerSpec:
    """``{"platform", "handle", "category", "country"?, "name"?}`` from an API body."""
    if not isinstance(body, Mapping):
        raise InfluencerError("body: expected a JSON object")
    unknown = sorted(set(body) - set(CSV_COLUMNS))
    if unknown:
        raise InfluencerError(
            f"{unknown[0]}: unknown field (expected {', '.join(CSV_COLUMNS)})", field=unknown[0]
        )
    for name in CSV_COLUMNS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise InfluencerError(f"{name}: expected a string", field=name)
    for name in ("platform", "handle", "category"):
        if not body.get(name):
            raise InfluencerError(f"{name}: required", field=name)
    return InfluencerSpec.of(
        platform=body["platform"],
        handle=body["handle"],
        category=body["category"],
        country=body.get("country"),
        name=body.get("name"),
    )


# -- storage ---------------------------------------------------------------------------------------


def _influencer(row: Any) -> CuratedInfluencer:
    return CuratedInfluencer(
        id=int(row.id),
        platform=row.platform,
        handle=row.handle,
        category=row.category,
        country=row.country,
        name=row.name,
        created_us=int(row.created_us),
        updated_us=int(row.updated_us),
    )


def _values(spec: InfluencerSpec) -> dict[str, Any]:
    return {
        "platform": spec.platform,
        "handle": spec.handle,
        "handle_key": handle_key(spec.handle),
        "category": spec.category,
        "country": spec.country,
        "name": spec.name,
    }


def _find(connection: Connection, platform: str, key: str) -> CuratedInfluencer | None:
    query = select(curated_influencers).where(
        curated_influencers.c.platform == platform, curated_influencers.c.handle_key == key
    )
    row = connection.execute(query).first()
    return None if row is None else _influencer(row)


def list_influencers(
    *, store: SqlStore, category: str | None = None, country: str | None = None
) -> list[CuratedInfluencer]:
    """Curated entries by platform and handle, optionally of one category and/or country."""
    query = select(curated_influencers)
    if category is not None:
        query = query.where(curated_influencers.c.category == category.lower())
    if country is not None:
        query = query.where(curated_influencers.c.country == country.upper())
    query = query.order_by(curated_influencers.c.platform, curated_influencers.c.handle_key)
    with store.engine.connect() as connection:
        return [_influencer(row) for row in connection.execute(query)]


def get_influencer(*, store: SqlStore, influencer_id: int) -> CuratedInfluencer:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(curated_influencers).where(curated_influencers.c.id == influencer_id)
        ).first()
    if row is None:
        raise InfluencerNotFound(f"no curated influencer with id {influencer_id}", field="id")
    return _influencer(row)


def create_influencer(*, store: SqlStore, spec: InfluencerSpec) -> CuratedInfluencer:
    moment = now_us()
    with store.engine.begin() as connection:
        if _find(connection, *spec.key) is not None:
            raise InfluencerConflict(
                f"handle: {spec.platform}:@{spec.handle} is already in the curated list", field="handle"
            )
        result = connection.execute(
            insert(curated_influencers).values(**_values(spec), created_us=moment, updated_us=moment)
        )
        key = result.inserted_primary_key
        assert key is not None  # an autoincrement insert always returns its key
    return get_influencer(store=store, influencer_id=int(key[0]))


def update_influencer(*, store: SqlStore, influencer_id: int, spec: InfluencerSpec) -> CuratedInfluencer:
    get_influencer(store=store, influencer_id=influencer_id)
    with store.engine.begin() as connection:
        other = _find(connection, *spec.key)
        if other is not None and other.id != influencer_id:
            raise InfluencerConflict(
                f"handle: {spec.platform}:@{spec.handle} is already in the curated list (id {other.id})",
                field="handle",
            )
        connection.execute(
            update(curated_influencers)
            .where(curated_influencers.c.id == influencer_id)
            .values(**_values(spec), updated_us=now_us())
        )
    return get_influencer(store=store, influencer_id=influencer_id)


def delete_influencer(*, store: SqlStore, influencer_id: int) -> None:
    with store.engine.begin() as connection:
        result = connection.execute(
            delete(curated_influencers).where(curated_influencers.c.id == influencer_id)
        )
    if not result.rowcount:
        raise InfluencerNotFound(f"no curated influencer with id {influencer_id}", field="id")


def import_influencers(*, store: SqlStore, specs: Sequence[InfluencerSpec]) -> tuple[int, int]:
    """Add each entry, or update the one with the same platform and handle, in one transaction:
    ``(created, updated)``."""
    created = updated = 0
    moment = now_us()
    with store.engine.begin() as connection:
        for spec in specs:
            existing = _find(connection, *spec.key)
            if existing is None:
                connection.execute(
                    insert(curated_influencers).values(**_values(spec), created_us=moment, updated_us=moment)
                )
                created += 1
            else:
                connection.execute(
                    update(curated_influencers)
                    .where(curated_influencers.c.id == existing.id)
                    .values(**_values(spec), updated_us=moment)
                )
                updated += 1
    return created, updated


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
    required = CSV_COLUMNS[:3]
    missing = [name for name in required if name not in names]
    unknown = [name for name in names if name not in CSV_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        raise InfluencerError(
            f"line 1 (header): expected {','.join(CSV_COLUMNS)} (country and name optional), got {','.join(names)}"
        )
    errors: list[str] = []
    specs: list[InfluencerSpec] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in data_rows(reader, len(names), errors):
        cells = dict(zip(names, row, strict=True))
        try:
            spec = InfluencerSpec.of(
                platform=cells["platform"],
                handle=cells["handle"],
                category=cells["category"],
                country=cells.get("country"),
                name=cells.get("name"),
            )
        except InfluencerError as error:
            column = (error.field or "") and f", column {error.field}"
            errors.append(f"line {line}{column}: {error}")
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

"""A team and the scope it sees."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Team", "TeamSpec"]

_NAME = re.compile(r"^[\w][\w .@-]{0,127}$")


class TeamSpec(BaseModel):
    """What makes a team: ``scope`` lists are optional; a missing or null one is "no restriction",
    an empty one "nothing" (a team scoped to no country sees no post)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    topics: list[str] | None = None
    countries: list[str] | None = None
    sources: list[str] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not _NAME.match(value):
            raise ValueError("use letters, digits, spaces and . _ - @ (128 at most)")
        return value

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        wrong = [code for code in value if not re.fullmatch(r"[A-Za-z]{2}", code.strip())]
        if wrong:
            raise ValueError(f"{', '.join(map(repr, wrong))}: not ISO 3166-1 alpha-2 codes such as FR")
        return sorted({code.strip().upper() for code in value})

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: list[str] | None) -> list[str] | None:
        return (
            None if value is None else sorted({source.strip().lower() for source in value if source.strip()})
        )

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({topic.strip() for topic in value if topic.strip()})


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    topics: tuple[str, ...] | None
    countries: tuple[str, ...] | None
    sources: tuple[str, ...] | None
    members: tuple[str, ...]
    created_us: int

    def scope_dict(self) -> dict[str, list[str] | None]:
        def listed(values: tuple[str, ...] | None) -> list[str] | None:
            return None if values is None else list(values)

        return {
            "topics": listed(self.topics),
            "countries": listed(self.countries),
            "sources": listed(self.sources),
        }

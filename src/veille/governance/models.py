"""A request to open an official account, as filed and as stored, and the review's comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.accounts.models import AccountSpec

__all__ = ["ACTIONS", "STATUSES", "AccountRequest", "Comment", "RequestSpec", "Resources", "ReviewBody"]

# submitted -> approved | rejected | changes_requested; changes_requested -> submitted (the
# requester's update). approved and rejected are final.
STATUSES = ("submitted", "changes_requested", "approved", "rejected")
# review action -> the status it leads to
ACTIONS = {"approve": "approved", "reject": "rejected", "request-changes": "changes_requested"}


class Resources(BaseModel):
    model_config = ConfigDict(extra="forbid")

    people: int = Field(ge=1, le=1000, description="how many people run the account")
    hours_per_week: float = Field(gt=0, le=10_000, description="hours per week, all people together")


class RequestSpec(BaseModel):
    """What a requester files (and sends again, changed, when changes are asked)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: str = Field(min_length=1, max_length=32, description="the posts' source: x, bluesky, mastodon…")
    handle: str = Field(min_length=1, max_length=200, description="the proposed handle")
    country: str | None = Field(default=None, description="ISO 3166 code; null: a global account")
    target_audience: str = Field(min_length=1, max_length=2000)
    why_not_addressed: str = Field(
        min_length=1,
        max_length=4000,
        description="why this audience is not already addressed by an existing account",
    )
    editorial_line: str = Field(min_length=1, max_length=4000)
    resources: Resources
    goal: str = Field(min_length=1, max_length=2000)
    kpis: list[str] = Field(min_length=1, max_length=20, description="how success is measured")
    brand: str | None = Field(default=None, max_length=128, description="default: the brand of our accounts")
    owner_team: str | None = Field(
        default=None, max_length=128, description="default: the requester's first team"
    )

    @field_validator("kpis")
    @classmethod
    def _kpis(cls, value: list[str]) -> list[str]:
        kept = [item.strip() for item in value if item.strip()]
        if not kept:
            raise ValueError("at least one KPI")
        if any(len(item) > 300 for item in kept):
            raise ValueError("a KPI is at most 300 characters")
        return kept

    def account_spec(self, *, brand: str) -> AccountSpec:
        """The brand account this request opens (checks platform, handle and country)."""
        return AccountSpec(
            platform=self.platform, handle=self.handle, brand=brand, country=self.country, ours=True
        )


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str = Field(default="", max_length=4000)


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=4000)


class Comment(BaseModel):
    at: datetime
    author: str
    action: Literal["filed", "updated", "comment", "approve", "reject", "request-changes"]
    text: str


class AccountRequest(BaseModel):
    id: int
    platform: str
    handle: str
    country: str | None
    target_audience: str
    why_not_addressed: str
    editorial_line: str
    resources: Resources
    goal: str
    kpis: list[str]
    brand: str
    owner_team: str | None
    status: str
    requested_by: str
    account_id: int | None
    created_at: datetime
    updated_at: datetime
    comments: list[Comment] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

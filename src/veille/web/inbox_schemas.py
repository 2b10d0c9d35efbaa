"""What the inbox API answers (``/api/v1/inbox``), declared for the OpenAPI document and its clients.

The nested post, account, priority and SLA objects keep their documented keys (docs/inbox.md);
they are open objects here, as the post record has its own contract (spec/post.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DeskRead",
    "InboxItemRead",
    "InboxSummaryRead",
    "InboxThreadRead",
    "OldestWaitingRead",
    "SavedReplyRead",
]


class LockRead(BaseModel):
    holder: str
    until: str = Field(description="RFC 3339: when the lock ends unless renewed")


class InboxItemRead(BaseModel):
    # One post read alone (GET /inbox/{post_id}) also carries its ``events`` (its history).
    model_config = ConfigDict(extra="allow")

    post_id: str
    post: dict[str, Any] = Field(description="the inbound post (spec/post.md)")
    account: dict[str, Any] = Field(description="our account it was written to")
    status: str = Field(description="new, assigned, waiting, replied or closed")
    priority: dict[str, Any] = Field(description="score (0-100), level and reasons with their figures")
    sla: dict[str, Any] = Field(description="due, breached, remaining_s (in the account's business hours)")
    waited_s: float
    assignee: str | None = None
    team: str | None = None
    lock: LockRead | None = None
    tags: list[str] = Field(default_factory=list)
    disposition: str | None = None
    first_response_at: str | None = None
    reply_post_id: str | None = None
    last_error: str | None = None
    updated_by: str | None = None
    updated_at: str | None = None


class OldestWaitingRead(BaseModel):
    post_id: str
    created_at: str
    waiting_s: float
    author: str
    account: str


class InboxSummaryRead(BaseModel):
    model_config = ConfigDict(extra="allow")

    queue: int = Field(description="open posts (new, assigned, waiting)")
    by_status: dict[str, int]
    breached: int = Field(description="open posts past their SLA")
    urgent: int
    oldest: OldestWaitingRead | None
    top: list[InboxItemRead] = Field(description="the five open posts first in the queue")
    now: str


class SavedReplyRead(BaseModel):
    id: int
    name: str
    kind: str = Field(description="reply or holding")
    lang: str
    text: str
    variables: list[str]
    created_by: str
    created_at: str
    updated_at: str


class DeskRead(BaseModel):
    account_id: int
    account: str
    platform: str
    sla_s: float
    endpoint: str | None
    can_reply: bool
    credential_fields: list[str]
    credentials_set: list[str] = Field(description="which credentials are set (never their values)")
    updated_by: str | None
    updated_at: str | None


class InboxThreadRead(BaseModel):
    model_config = ConfigDict(extra="allow")

    post_id: str
    item: InboxItemRead
    items: list[dict[str, Any]] = Field(description="the conversation, oldest first; ours and focus marked")

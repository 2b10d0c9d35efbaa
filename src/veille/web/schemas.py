"""The API's response shapes that no domain package owns: posts, jobs, sources, analytics results,
errors. Domains with pydantic specs keep their own read models (``TopicRead``, ``AccountRead``,
``InfluencerRead``, ``SentimentModels``).

These models describe the JSON the routes already produce (``to_json_dict()`` of the domain
objects): every key they declare is always present, and open-ended parts (a post's ``extra``,
an analytics result's ``meta`` and rows) are typed as open objects, so ``/docs`` shows the shape
and nothing a client reads changes. Numbers that may be integers or fractions are ``Number``
(a float field would turn ``5`` into ``5.0``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalyticsResultRead",
    "AuthorPageRead",
    "CareReportRead",
    "ConnectorsRead",
    "DeadLetterPage",
    "DeadLetterRead",
    "ErrorRead",
    "HealthRead",
    "ImportResultRead",
    "Items",
    "JobRead",
    "PostHitRead",
    "PostPage",
    "PostRead",
    "PushResult",
    "QueryTrialRead",
    "SourceLeaseRead",
    "SourceList",
    "SourceRead",
]

Number = int | float
T = TypeVar("T")


class _Open(BaseModel):
    """A JSON object whose declared keys are always there; other keys pass through unchanged."""

    model_config = ConfigDict(extra="allow")


class ErrorRead(BaseModel):
    """Every refusal: ``detail`` is a sentence naming the field at fault."""

    detail: str
    field: str | None = Field(description="the field or parameter at fault (dotted for nested ones)")
    column: int | None = Field(default=None, description="1-based, for a query that does not parse")


class HealthRead(BaseModel):
    status: str
    version: str
    store: str = Field(description="sqlite or postgresql")


class Items(BaseModel, Generic[T]):
    """A list answer: ``{"items": [...]}``."""

    items: list[T]


class ImportResultRead(BaseModel):
    created: int
    updated: int


# -- posts ---------------------------------------------------------------------------------------


class AuthorRead(_Open):
    id: str | None
    handle: str
    name: str | None
    followers: int | None
    verified: bool
    location: str | None
    bio: str | None


class MetricsRead(_Open):
    likes: int | None
    reposts: int | None
    replies: int | None
    views: int | None


class SentimentRead(BaseModel):
    label: str = Field(description="positive, neutral or negative")
    score: float = Field(description="-1 (negative) to 1 (positive)")
    model: str


class TopicMatchRead(BaseModel):
    name: str
    spans: list[list[int]] = Field(description="[start, end) character offsets into the text")


class PostRead(BaseModel):
    """The canonical post (``shared/spec/post.md``), enrichment included."""

    id: str
    source: str
    url: str | None
    created_at: str = Field(description="RFC 3339, UTC")
    text: str
    lang: str | None
    author: AuthorRead
    reply_to: str | None
    repost_of: str | None
    quote_of: str | None
    links: list[str]
    metrics: MetricsRead
    country: str | None
    extra: dict[str, Any] = Field(description="fields the platform sent that the post has no place for")
    sentiment: SentimentRead | None
    topics: list[TopicMatchRead]
    duplicate_of: str | None
    hashtags: list[str]
    mentions: list[str]
    is_brand_account: bool
    entities: dict[str, Any]


class PostHitRead(PostRead):
    """A post found by a search, with the character spans of its text to highlight."""

    highlights: list[list[int]] = Field(
        description="[start, end) character offsets into text of the terms that matched (query=, "
        "else the topic= filter's stored spans)"
    )


class PostPage(BaseModel):
    items: list[PostHitRead]
    next_cursor: str | None = Field(description="pass back as cursor for the next page; null on the last")
    scanned: int = Field(description="posts examined to build this page (a query is evaluated post by post)")


class PushError(BaseModel):
    index: int = Field(description="0-based position of the refused item in the body")
    message: str


class PushResult(BaseModel):
    accepted: int
    rejected: int
    errors: list[PushError]
    stored_ids: list[str] = Field(description="ids written (a post re-sent unchanged is not)")


# -- topics and jobs -----------------------------------------------------------------------------


class QueryWarning(BaseModel):
    column: int
    code: str
    message: str


class QueryHit(BaseModel):
    post: PostRead
    spans: list[list[int]]


class QueryTrialRead(BaseModel):
    """What a query catches among the latest stored posts, newest first."""

    scanned: int
    matched: int
    items: list[QueryHit]
    warnings: list[QueryWarning]


class JobRead(_Open):
    """A background job; ``topic`` is its subject (the topic backfilled, the language retrained)."""

    id: str
    kind: str
    topic: str
    state: str = Field(description="running, done, failed or stopped")
    total: int
    done: int
    fraction: float
    matched: int
    gained: int
    lost: int
    error: str | None
    started_at: str
    finished_at: str | None


# -- sources -------------------------------------------------------------------------------------


class AlertRead(_Open):
    source: str | None
    type: str | None
    kind: str = Field(description="failed, silent, no_filter or config")
    message: str
    since: Number | None = Field(description="epoch seconds")


class SourceLeaseRead(BaseModel):
    """Which process runs the source, with the NATS bus (docs/deployment.md, source leases)."""

    holder: str | None = Field(description="host:pid:id of the process holding the lease; null: nobody")
    here: bool = Field(description="true when the process that answered runs it")
    expires_at: float | None = Field(description="epoch seconds when the lease runs out unless renewed")


class SourceRead(BaseModel):
    name: str
    type: str
    origin: str = Field(
        description="config (veille.toml), api, or hub (the hub's own: simulator, files, push)"
    )
    read_only: bool = Field(description="the hub's own sources cannot be configured, stopped or removed")
    enabled: bool
    running: bool
    filter: str = Field(description="query, topics or source")
    config: dict[str, Any] = Field(description="secrets masked as '***'")
    health: dict[str, Any]
    alerts: list[AlertRead]
    failed: int | None = Field(description="dead letters: items read that could not become posts")
    owner_team: str | None = Field(default=None, description="the team that owns it (veille.toml: none)")
    visibility: str = Field(default="organisation", description="private, team or organisation")
    lease: SourceLeaseRead | None = Field(
        default=None, description="with the NATS bus: who runs the source in the cluster; else null"
    )


class DeadLetterRead(BaseModel):
    """A platform item a source could not turn into a post, as it was received."""

    id: int
    source: str
    reason: str = Field(description="why no post could be made of it, naming the field")
    payload: Any = Field(description="the item as the platform sent it")
    first_failed_at: float = Field(description="epoch seconds of the first refusal")
    last_attempt_at: float = Field(description="epoch seconds of the last mapping attempt")
    attempts: int


class DeadLetterPage(BaseModel):
    source: str
    total: int = Field(description="dead letters of the source")
    items: list[DeadLetterRead]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class SourceList(BaseModel):
    items: list[SourceRead]
    alerts: list[AlertRead]


class ConfigFieldRead(_Open):
    name: str
    type: str


class ConnectorRead(_Open):
    type: str
    title: str
    fields: list[dict[str, Any]]


class ConnectorsRead(BaseModel):
    common_fields: list[ConfigFieldRead] = Field(description="keys every [[sources]] table may hold")
    items: list[ConnectorRead]


# -- analytics -----------------------------------------------------------------------------------


class AnalyticsResultRead(_Open):
    """Every analytics result: ``kind``, what was asked (more keys, per kind), ``columns`` and ``rows``."""

    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]


class AuthorPageRead(BaseModel):
    kind: str
    author: dict[str, Any]
    topics: AnalyticsResultRead
    series: AnalyticsResultRead
    posts: AnalyticsResultRead


class CareFiguresRead(BaseModel):
    inbound: int
    responded: int
    response_rate: Number | None
    median_s: Number | None
    mean_s: Number | None
    p90_s: Number | None
    within_sla: Number | None


class CareItemRead(CareFiguresRead):
    """One account (or brand, or brand in a country): its group keys, figures, previous period, trend."""

    model_config = ConfigDict(extra="allow")

    previous: CareFiguresRead
    trend: dict[str, Any]


class CareReportRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    previous_from: str
    previous_to: str
    business_hours: bool
    sla_s: Number
    group_by: str
    scope: dict[str, Any]
    items: list[CareItemRead]

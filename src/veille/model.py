"""The canonical post record (``shared/spec/post.md``) and its validation.

Every source turns what it reads into :class:`Post` at its edge; nothing after a source knows which
platform a post came from except through ``source``. Validation errors name the field so that a
batch can report ``item 3: created_at: not an RFC 3339 timestamp`` and still store its neighbours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import langcodes
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# Re-exported: the RFC 3339 helpers live in veille.clock; sources still import them from here.
from veille.clock import format_rfc3339, parse_rfc3339

__all__ = [
    "MAX_TEXT_CHARS",
    "Author",
    "LanguageTagError",
    "Metrics",
    "Post",
    "PostRejected",
    "Sentiment",
    "TopicMatch",
    "format_rfc3339",
    "normalise_language_tag",
    "parse_post",
    "parse_posts",
    "parse_rfc3339",
    "post_json_schema",
]

MAX_TEXT_CHARS = 100_000
# Every integer is stored in a signed 64-bit column: a larger one is refused (naming the field)
# rather than failing a whole batch in the store.
MAX_STORED_INT = 2**63 - 1
# Free-form JSON a post carries (extra, entities) is refused past this depth: deep nesting costs
# recursion in every reader, and no platform sends it.
MAX_JSON_DEPTH = 32
FUTURE_TOLERANCE = timedelta(minutes=5)
_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*:.+$", re.DOTALL)
_SOURCE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
# Two-letter codes withdrawn from ISO 639-1 that platforms still send (X sends "in" for Indonesian).
_DEPRECATED_TWO_LETTER = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
# Fields computed by the pipeline: a client may send them back (an export re-imported) but they are
# recomputed, never trusted.
ENRICHMENT_FIELDS = frozenset(
    {"sentiment", "topics", "duplicate_of", "hashtags", "mentions", "is_brand_account", "entities"}
)


class LanguageTagError(ValueError):
    """A ``lang`` value that is no language tag at all (``"french"``, ``"fr!!"``)."""


def normalise_language_tag(value: str) -> tuple[str | None, str]:
    """``(lang, tag)``: the primary ISO 639-1 subtag of a language tag, and the tag as given.

    ``zh-CN`` → ``("zh", "zh-CN")``, ``pt_BR`` → ``("pt", "pt_BR")``; a three-letter code with an
    ISO 639-1 equivalent is mapped (``fra`` → ``fr``, ``cmn`` → ``zh`` through its macrolanguage),
    one without (``yue``, ``fil``, X's ``qme``) gives ``lang`` ``None`` and keeps the tag; withdrawn
    two-letter codes are replaced (``in`` → ``id``); ``und`` stays ``und`` (undetermined).
    Raises :class:`LanguageTagError` when ``value`` is not a language tag (BCP 47 or ISO 639).
    """
    tag = value.strip()
    cleaned = tag.replace("_", "-")
    folded = cleaned.lower()
    if _LANG_RE.match(folded):  # the common case, without parsing
        return _DEPRECATED_TWO_LETTER.get(folded, folded), tag
    if folded == "und" or folded.startswith("und-"):
        return "und", tag
    try:
        parsed = langcodes.Language.get(cleaned, normalize=True)
    except (langcodes.LanguageTagError, ValueError):
        raise LanguageTagError(f"{tag!r} is not a language tag") from None
    code = parsed.language
    if code is None:  # "root" and the like: a tag without a language
        return "und", tag
    if not code.replace("-", "").isalpha():
        raise LanguageTagError(f"{tag!r} is not a language tag")
    primary = folded.split("-", 1)[0]
    if _LANG_RE.match(primary):
        # A two-letter primary subtag stays as sent: normalising would turn "tl" into "fil".
        return _DEPRECATED_TWO_LETTER.get(primary, primary), tag
    if len(code) == 3:
        # A member of a macrolanguage (cmn, arb) is read as the macrolanguage when that has a code.
        code = langcodes.standardize_tag(code, macro=True).split("-", 1)[0]
    return (code if _LANG_RE.match(code) else None), tag


def _normalise_lang_field(data: dict[str, Any]) -> None:
    """Replace a language tag by its ISO 639-1 code, keeping the tag in ``extra["lang_tag"]``."""
    value = data.get("lang")
    if not isinstance(value, str) or not value.strip():
        return
    try:
        lang, tag = normalise_language_tag(value)
    except LanguageTagError:
        return  # the field validator names the field
    data["lang"] = lang
    if lang != tag.lower():
        extra = dict(data.get("extra") or {})
        extra.setdefault("lang_tag", tag)
        data["extra"] = extra


def _check_post_id(value: str | None) -> str | None:
    if value is not None and not _ID_RE.match(value):
        raise ValueError("must have the form source:platform_id")
    return value


class Author(BaseModel):
    """Who wrote the post, as the platform describes them."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str | None = None
    handle: str = Field(min_length=1)
    name: str | None = None
    followers: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    verified: bool = False
    location: str | None = None
    bio: str | None = None

    @field_validator("handle")
    @classmethod
    def _handle_without_at(cls, value: str) -> str:
        handle = value.removeprefix("@")
        if not handle:
            raise ValueError("must not be empty")
        return handle


class Metrics(BaseModel):
    model_config = ConfigDict(extra="allow")

    likes: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    reposts: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    replies: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    views: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)

    @property
    def engagement(self) -> int:
        return (self.likes or 0) + (self.reposts or 0) + (self.replies or 0)


class Sentiment(BaseModel):
    label: Literal["positive", "neutral", "negative"]
    score: float = Field(ge=-1.0, le=1.0)
    model: str = "unknown"


class TopicMatch(BaseModel):
    name: str
    spans: list[tuple[int, int]] = Field(default_factory=list)


class Post(BaseModel):
    """One post, from any platform, in the hub's one shape."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    id: str
    source: str
    url: str | None = None
    created_at: datetime
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    lang: str | None = None
    author: Author
    reply_to: str | None = None
    repost_of: str | None = None
    quote_of: str | None = None
    links: list[str] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)
    country: str | None = None
    # Unknown input fields, kept so that nothing a platform sent is lost.
    extra: dict[str, Any] = Field(default_factory=dict)
    # Enrichment, filled by the pipeline.
    sentiment: Sentiment | None = None
    topics: list[TopicMatch] = Field(default_factory=list)
    duplicate_of: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    is_brand_account: bool = False
    entities: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _keep_unknown_fields(cls, data: Any) -> Any:
        """Unknown fields go to ``extra``; a language tag becomes its ISO 639-1 code (tag kept)."""
        if not isinstance(data, Mapping):
            return data
        known = _POST_FIELDS
        if known.issuperset(data):  # the usual case: one copy, no split
            kept = dict(data)
            unknown = None
        else:
            kept = {key: value for key, value in data.items() if key in known}
            unknown = {key: value for key, value in data.items() if key not in known}
        if unknown:
            extra = dict(kept.get("extra") or {})
            extra.update(unknown)
            kept["extra"] = extra
        _normalise_lang_field(kept)
        # Plain strings without NUL (most fields) are storable as they are: no call per field.
        return {
            key: value if type(value) is str and "\x00" not in value else _storable(value, key)
            for key, value in kept.items()
        }

    @field_validator("id", "reply_to", "repost_of", "quote_of")
    @classmethod
    def _id_form(cls, value: str | None) -> str | None:
        return _check_post_id(value)

    @field_validator("source")
    @classmethod
    def _source_lower(cls, value: str) -> str:
        if not _SOURCE_RE.match(value):
            raise ValueError("must be a lower-case platform name (letters, digits, '_' or '-')")
        return value

    @field_validator("created_at", mode="before")
    @classmethod
    def _created_at_rfc3339(cls, value: Any) -> datetime:
        moment = parse_rfc3339(value)
        if moment > datetime.now(UTC) + FUTURE_TOLERANCE:
            raise ValueError("more than 5 minutes in the future")
        return moment

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("lang")
    @classmethod
    def _lang_iso639_1(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        folded = value.strip().lower()
        if folded != "und" and not _LANG_RE.match(folded):
            raise ValueError("must be an ISO 639-1 code or a language tag such as 'fr', 'pt-BR' or 'fra'")
        return folded

    @field_validator("country")
    @classmethod
    def _country_alpha2(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        upper = value.strip().upper()
        if not _COUNTRY_RE.match(upper):
            raise ValueError("must be an ISO 3166-1 alpha-2 code such as 'FR'")
        return upper

    @property
    def platform_id(self) -> str:
        return self.id.split(":", 1)[1]

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form of the spec (timestamps as RFC 3339 with ``Z``)."""
        data = self.model_dump(mode="json")
        data["created_at"] = format_rfc3339(self.created_at)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, separators=(",", ":"))


# Post's field names, read once (``Post.model_fields`` is a computed class attribute).
_POST_FIELDS: frozenset[str] = frozenset(Post.model_fields)


def _storable(value: Any, where: str, depth: int = 0) -> Any:
    """``value`` as every store can keep it: NUL characters removed from strings (PostgreSQL text
    cannot hold them), JSON nested at most :data:`MAX_JSON_DEPTH` deep, free-form integers within
    64 bits. ``ValueError`` names the field otherwise (the item is refused, not the batch)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if depth >= MAX_JSON_DEPTH and isinstance(value, Mapping | list | tuple):
        raise ValueError(f"{where}: nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, Mapping):
        return {
            _storable(key, where, depth + 1) if isinstance(key, str) else key: _storable(
                item, f"{where}.{key}", depth + 1
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_storable(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value)]
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not -MAX_STORED_INT - 1 <= value <= MAX_STORED_INT
    ):
        raise ValueError(f"{where}: integer out of the 64-bit range")
    return value


@dataclass(frozen=True, slots=True)
class PostRejected:
    """One item refused, with its position in the batch and the reason naming the field.

    ``payload`` is the platform item as received (JSON-able) when a source can keep it: the
    pipeline stores it in the dead-letter table so that it can be mapped again after a fix.
    """

    index: int
    reason: str
    payload: Any = field(default=None, compare=False, repr=False)

    def message(self, label: str = "item") -> str:
        return f"{label} {self.index}: {self.reason}"


def _describe(error: Mapping[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    kind = error.get("type", "")
    text = str(error.get("msg", "invalid"))
    if kind == "missing":
        text = "required field is missing"
    elif kind == "extra_forbidden":
        text = "unknown field"
    elif text.startswith("Value error, "):
        text = text.removeprefix("Value error, ")
    elif kind == "string_too_short":
        text = "must not be empty" if error.get("ctx", {}).get("min_length") == 1 else text.lower()
    elif kind == "string_too_long":
        text = f"longer than {error.get('ctx', {}).get('max_length')} characters"
    elif kind == "model_type" or kind == "dict_type":
        text = "must be a JSON object"
    else:
        text = text[:1].lower() + text[1:]
    return f"{location}: {text}" if location else text


def validation_reason(error: ValidationError) -> str:
    """All problems of one item, each naming its field, joined by ``; ``."""
    return "; ".join(_describe(item) for item in error.errors())


def parse_post(item: Any) -> Post:
    """Validate one JSON item into a :class:`Post`; raises ``ValueError`` naming the field."""
    if not isinstance(item, Mapping):
        raise ValueError("not a JSON object")
    inbound = {key: value for key, value in item.items() if key not in ENRICHMENT_FIELDS}
    try:
        return Post.model_validate(inbound)
    except ValidationError as error:
        raise ValueError(validation_reason(error)) from None


def parse_posts(items: Iterable[Any], *, start: int = 0) -> tuple[list[Post], list[PostRejected]]:
    """Validate a batch: valid posts are returned whatever their neighbours, rejects with their index."""
    accepted: list[Post] = []
    rejected: list[PostRejected] = []
    for index, item in enumerate(items, start=start):
        try:
            accepted.append(parse_post(item))
        except ValueError as error:
            rejected.append(PostRejected(index=index, reason=str(error)))
    return accepted, rejected


def post_json_schema() -> dict[str, Any]:
    """JSON Schema of the ingest form (enrichment fields are read-only and left out)."""
    schema = Post.model_json_schema(mode="validation")
    properties = schema.get("properties", {})
    for name in ENRICHMENT_FIELDS:
        properties.pop(name, None)
    schema["title"] = "Veille post"
    schema["additionalProperties"] = True
    schema["description"] = (
        "The canonical post of shared/spec/post.md. Unknown fields are kept in `extra`; "
        "enrichment fields are computed by the hub."
    )
    return schema

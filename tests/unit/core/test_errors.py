"""One error tree: statuses, bodies, pydantic messages, and the built-in kinds callers still catch."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from veille.access import AccessError
from veille.accounts import AccountConflict, AccountError, AccountNotFound
from veille.analytics.influence import AuthorNotFound
from veille.errors import (
    Conflict,
    Invalid,
    NotFound,
    TooLarge,
    Unavailable,
    VeilleError,
    error_body,
    http_status,
    invalid_from,
    validation_field,
    validation_message,
)
from veille.influencers import InfluencerConflict, InfluencerError, InfluencerNotFound
from veille.jobs import JobConflict
from veille.query import QueryError, parse_query
from veille.sources.manager import SourceConfigError, SourceConflictError, SourceNotFoundError
from veille.sources.push import PushBodyError
from veille.topics import TopicConflict, TopicError, TopicNotFound
from veille.web.errors import request_error_body


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Invalid("x: bad", field="x"), 422),
        (TooLarge("body: too big", field="body"), 413),
        (NotFound("no x"), 404),
        (Conflict("taken"), 409),
        (Unavailable("down"), 503),
        (TopicError("query: bad", field="query"), 422),
        (TopicNotFound("outage"), 404),
        (TopicConflict("taken", field="name"), 409),
        (AccountError("bad"), 422),
        (AccountNotFound("no account"), 404),
        (AccountConflict("taken"), 409),
        (InfluencerError("bad"), 422),
        (InfluencerNotFound("no entry"), 404),
        (InfluencerConflict("taken"), 409),
        (SourceConfigError("bad table"), 422),
        (SourceConflictError("taken"), 409),
        (SourceNotFoundError("masto"), 404),
        (JobConflict("running"), 409),
        (AuthorNotFound("no author"), 404),
        (AccessError("bad password"), 422),
        (PushBodyError("too big", 413), 413),
        (PushBodyError("not an array", 400), 400),
        (QueryError("expected a term", 3), 422),
    ],
)
def test_every_domain_error_has_its_status(error: VeilleError, status: int) -> None:
    assert isinstance(error, VeilleError)
    assert http_status(error) == status


def test_callers_of_the_builtin_kinds_keep_working() -> None:
    """Refusals are still ValueErrors and unknown objects LookupErrors (CLI and old callers catch those)."""
    for refusal in (
        TopicError("x"),
        AccountError("x"),
        InfluencerError("x"),
        SourceConfigError("x"),
        QueryError("x"),
    ):
        assert isinstance(refusal, ValueError)
    assert isinstance(TopicConflict("x"), ValueError) and isinstance(SourceConflictError("x"), ValueError)
    for missing in (TopicNotFound("x"), AccountNotFound("x"), AuthorNotFound("x")):
        assert isinstance(missing, LookupError)
    assert isinstance(SourceNotFoundError("masto"), KeyError)
    assert str(SourceNotFoundError("masto")) == "no source named 'masto'"  # not KeyError's quoting
    assert str(TopicNotFound("outage")) == "no topic named 'outage'"


def test_error_body_names_the_field_and_the_column() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("panne AND (")
    assert error_body(caught.value) == {
        "detail": "column 12: expected a term or '(' after '('",
        "field": "query",
        "column": 12,
    }
    assert caught.value.message == "expected a term or '(' after '('"  # the sentence without the column
    assert error_body(NotFound("no job 'x'", field="job_id")) == {"detail": "no job 'x'", "field": "job_id"}


class _Hours(BaseModel):
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if "/" not in value:
            raise ValueError(f"{value!r} is not an IANA time zone")
        return value


class _Spec(BaseModel):
    name: str
    hours: _Hours


def test_pydantic_errors_become_sentences_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _Spec.model_validate({"name": 3, "hours": {"timezone": "Paris"}})
    assert validation_message(caught.value) == (
        "name: Input should be a valid string; hours.timezone: 'Paris' is not an IANA time zone"
    )
    assert validation_field(caught.value) == "name"
    refused = invalid_from(caught.value, AccountError)
    assert isinstance(refused, AccountError) and refused.field == "name"


def test_request_errors_leave_out_where_the_value_came_from() -> None:
    errors = [
        {
            "type": "less_than_equal",
            "loc": ("query", "limit"),
            "msg": "Input should be less than or equal to 500",
        },
        {"type": "missing", "loc": ("query", "from"), "msg": "Field required"},
    ]
    assert request_error_body(errors) == {
        "detail": "limit: Input should be less than or equal to 500; from: Field required",
        "field": "limit",
    }
    assert request_error_body([{"type": "missing", "loc": ("body",), "msg": "Field required"}]) == {
        "detail": "body: Field required",
        "field": "body",
    }
    assert request_error_body([{"type": "json_invalid", "loc": ("body", 3), "msg": "JSON decode error"}]) == {
        "detail": "body: not JSON",
        "field": "body",
    }
    column = {
        "type": "value_error",
        "loc": ("body", "query"),
        "msg": "Value error, column 4: unexpected ')'",
        "ctx": {"error": QueryError("unexpected ')'", 4)},
    }
    assert request_error_body([column]) == {
        "detail": "query: column 4: unexpected ')'",
        "field": "query",
        "column": 4,
    }

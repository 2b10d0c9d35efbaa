"""The HTTP boundary: every route typed in the OpenAPI document, one error shape for every refusal,
and JSON bodies read as JSON whatever their Content-Type (docs/api.md's curl examples send none)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from tests.support.posts import post_json
from veille.settings import Settings

# Actions that take no body at all (their path says everything).
BODILESS = {
    ("post", "/api/v1/sources/{name}/stop"),
    ("post", "/api/v1/sources/{name}/start"),
    ("post", "/api/v1/walls/{wall_id}/links"),
    ("post", "/api/v1/reports/{report_id}/run"),
    ("post", "/api/v1/inbox/{post_id}/lock"),
    ("post", "/api/v1/inbox/{post_id}/unlock"),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with serve_hub(Settings(data_dir=tmp_path_factory.mktemp("boundary"))) as hub:
        yield hub


@pytest.fixture(scope="module")
def document(live: LiveHub) -> dict[str, Any]:
    answer = httpx.get(f"{live.base_url}/openapi.json", headers=live.auth_headers, timeout=60)
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def test_every_route_declares_what_it_answers(document: dict[str, Any]) -> None:
    operations = list(_operations(document))
    assert len(operations) >= 45
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        success = {code: answer for code, answer in operation["responses"].items() if code.startswith("2")}
        assert success, where
        for code, answer in success.items():
            if code == "204":
                assert not answer.get("content"), where
                continue
            content = answer.get("content") or {}
            assert content, f"{where}: {code} declares no content"
            if "application/json" in content:
                schema = _resolve(document, content["application/json"].get("schema") or {})
                # An untyped route shows {} here: every JSON answer has a schema with a type or shape.
                assert schema.get("type") or schema.get("properties") or schema.get("anyOf"), where
            else:
                assert any(media.startswith(("text/", "application/")) for media in content), where


def test_every_body_is_declared(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        if method not in {"post", "put", "patch"} or (method, path) in BODILESS:
            continue
        body = operation.get("requestBody")
        assert body, f"{method.upper()} {path} declares no request body"
        for media, content in body["content"].items():
            assert content.get("schema"), f"{method.upper()} {path}: {media} has no schema"


def test_refusals_share_one_shape_in_the_document(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for code in ("401", "404", "409", "422"):
            answer = operation["responses"].get(code)
            if answer is None or (path == "/api/v1/posts" and method == "post" and code == "422"):
                continue
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorRead"}, f"{method.upper()} {path} {code}"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_bad_parameter_names_the_field(api: httpx.Client) -> None:
    assert api.get("/api/v1/posts", params={"limit": 0}).json() == {
        "detail": "limit: Input should be greater than or equal to 1",
        "field": "limit",
    }
    bad_from = api.get("/api/v1/analytics/volume", params={"from": "yesterday", "to": "2026-01-02"})
    assert bad_from.status_code == 422
    assert bad_from.json() == {"detail": "from: 'yesterday' is not an ISO date or date-time", "field": "from"}
    missing = api.get("/api/v1/analytics/volume", params={"to": "2026-01-02"})
    assert missing.status_code == 422 and missing.json() == {
        "detail": "from: Field required",
        "field": "from",
    }


def test_a_bad_body_names_the_field(api: httpx.Client) -> None:
    nested = api.post(
        "/api/v1/accounts",
        json={
            "platform": "x",
            "handle": "acme",
            "brand": "Acme",
            "business_hours": {"timezone": "Mars/Olympus"},
        },
    )
    assert nested.status_code == 422
    assert nested.json() == {
        "detail": "business_hours.timezone: 'Mars/Olympus' is not an IANA time zone such as 'Europe/Paris'",
        "field": "business_hours.timezone",
    }
    wrong = api.post("/api/v1/posts/push:1/sentiment", json={"label": "angry"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "label"
    assert wrong.json()["detail"].startswith("label: ")
    unknown = api.post(
        "/api/v1/influencers/curated", json={"platform": "x", "handle": "a", "category": "blogger", "x": 1}
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "x"
    not_an_object = api.post("/api/v1/topics", json=["outage"])
    assert not_an_object.status_code == 422 and not_an_object.json()["field"] == "body"
    no_body = api.post("/api/v1/topics")
    assert no_body.status_code == 422 and no_body.json() == {
        "detail": "body: Field required",
        "field": "body",
    }
    not_json = api.post("/api/v1/topics", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422 and not_json.json() == {"detail": "body: not JSON", "field": "body"}


def test_a_query_that_does_not_parse_names_the_column(api: httpx.Client) -> None:
    refused = api.post("/api/v1/topics", json={"name": "broken", "query": "panne AND ("})
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "query: column 12: expected a term or '(' after '('",
        "field": "query",
        "column": 12,
    }


def test_not_found_and_conflict(api: httpx.Client) -> None:
    assert api.get("/api/v1/topics/nope").json() == {"detail": "no topic named 'nope'", "field": "name"}
    assert api.get("/api/v1/topics/nope").status_code == 404
    assert api.get("/api/v1/jobs/nope").status_code == 404
    assert api.get("/api/v1/accounts/404").json() == {"detail": "no brand account with id 404", "field": "id"}
    unknown_route = api.get("/api/v1/nothing/here")
    assert unknown_route.status_code == 404 and unknown_route.json() == {"detail": "Not Found", "field": None}
    body = {"platform": "x", "handle": "@Twice", "category": "journalist"}
    assert api.post("/api/v1/influencers/curated", json=body).status_code == 201
    again = api.post("/api/v1/influencers/curated", json=body | {"handle": "twice"})
    assert again.status_code == 409
    assert again.json() == {"detail": "handle: x:@twice is already in the curated list", "field": "handle"}


def test_unauthenticated_answers_json_with_its_header(live: LiveHub) -> None:
    answer = httpx.post(f"{live.base_url}/api/v1/query/test", content=b"not even json", timeout=60)
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["detail"].startswith("authentication required")
    assert httpx.get(f"{live.base_url}/healthz", timeout=60).status_code == 200  # public


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_json_bodies_are_read_whatever_the_content_type(
    live: LiveHub, api: httpx.Client, content_type: str | None
) -> None:
    api.post(
        "/api/v1/posts", json=[post_json(1, text="Panne de fibre à Lyon"), post_json(2, text="Tout va bien")]
    )
    headers = (
        {**live.auth_headers} if content_type is None else {**live.auth_headers, "Content-Type": content_type}
    )
    with httpx.Client(base_url=live.base_url, timeout=60) as raw:
        tried = raw.post("/api/v1/query/test", content=b'{"query": "panne", "last": 50}', headers=headers)
        assert (
            raw.post("/api/v1/query/test", content=b'{"query": "panne"}', headers=headers).status_code == 200
        )
        name = f"fibre-{(content_type or 'none').replace('/', '-')}"
        created = raw.post(
            "/api/v1/topics", content=f'{{"name": "{name}", "query": "fibre"}}'.encode(), headers=headers
        )
        started = raw.post(f"/api/v1/topics/{name}/backfill", content=b'{"batch_size": 10}', headers=headers)
        refused = raw.post("/api/v1/query/test", content=b"query=panne", headers=headers)
    assert tried.status_code == 200, tried.text
    assert [item["post"]["id"] for item in tried.json()["items"]] == ["push:1"]
    assert created.status_code == 201, created.text
    assert started.status_code == 202 and started.json()["topic"] == name, started.text
    assert refused.status_code == 422 and refused.json() == {"detail": "body: not JSON", "field": "body"}


def test_the_push_api_still_reads_its_content_type(api: httpx.Client) -> None:
    ndjson = "\n".join(
        f'{{"id": "push:n{i}", "source": "push", "created_at": "2026-05-05T00:00:00Z", "text": "x {i}", "author": {{"handle": "a"}}}}'
        for i in range(2)
    )
    pushed = api.post(
        "/api/v1/posts", content=ndjson.encode(), headers={"Content-Type": "application/x-ndjson"}
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 2

"""Alert rules and scheduled reports refuse notification targets on internal addresses (Apprise
sends its own requests, outside the guarded client): checked on literal addresses, nothing sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from veille.settings import Settings
from veille.web.app import create_app

TOKEN = "notify-targets-token-0123456789abcdef"


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # No outbound_allow: the operator allowed no internal network (the suite's default allows 127.0.0.1).
    app = create_app(settings.model_copy(update={"outbound_allow": [], "admin_token": SecretStr(TOKEN)}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            yield client


def _rule(*notify: str) -> dict[str, object]:
    return {
        "name": "Outage",
        "kind": "volume_threshold",
        "query": "panne",
        "window_s": 600,
        "threshold": 5,
        "notify": list(notify),
    }


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("json://169.254.169.254/latest/meta-data", "link-local"),
        ("json://127.0.0.1:9/hook", "loopback"),
        ("jsons://localhost/hook", "loopback"),
        ("json://10.1.2.3/hook", "private"),
    ],
)
async def test_an_internal_target_is_refused_naming_it(
    api: httpx.AsyncClient, target: str, kind: str
) -> None:
    refused = await api.post("/api/v1/alerts/rules", json=_rule("json://hooks.example.org/ok", target))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "notify[1]" and kind in refused.json()["detail"]
    assert (await api.get("/api/v1/alerts/rules")).json()["items"] == []


async def test_a_public_target_is_kept_and_a_change_is_checked_too(api: httpx.AsyncClient) -> None:
    created = await api.post("/api/v1/alerts/rules", json=_rule("json://hooks.example.org/ok"))
    assert created.status_code == 201, created.text
    changed = await api.put(
        f"/api/v1/alerts/rules/{created.json()['id']}", json=_rule("json://192.168.1.10/x")
    )
    assert changed.status_code == 422 and changed.json()["field"] == "notify[0]"

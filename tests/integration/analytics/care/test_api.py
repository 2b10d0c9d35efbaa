"""``/api/v1/accounts`` and ``/api/v1/analytics/care`` on both engines."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyarrow.parquet as pq
import pytest

from tests.support.live_server import LiveHub
from veille.accounts import import_accounts, list_accounts

from .dataset import ACCOUNTS, END, PREVIOUS_START, START, build_posts
from .oracle import expected_figures, inbound_times
from .test_metrics import FIGURES


def test_accounts_crud_and_refusals(live: LiveHub, api: httpx.Client) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        for method, path in (
            ("GET", "/api/v1/accounts"),
            ("POST", "/api/v1/accounts"),
            ("POST", "/api/v1/accounts/import"),
            ("GET", "/api/v1/accounts/1"),
            ("PUT", "/api/v1/accounts/1"),
            ("DELETE", "/api/v1/accounts/1"),
            ("GET", "/api/v1/analytics/care?from=2026-11-01&to=2026-11-02"),
        ):
            assert anonymous.request(method, path).status_code == 401, path

    body = {
        "platform": "X",
        "handle": "@NovaTelecom_FR",
        "brand": "Nova Telecom",
        "country": "fr",
        "ours": True,
        "business_hours": {
            "timezone": "Europe/Paris",
            "days": "mon-fri" and ["mon", "tue"],
            "start": "09:00",
            "end": "18:00",
        },
    }
    created = api.post("/api/v1/accounts", json=body)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["platform"] == "x" and account["handle"] == "NovaTelecom_FR" and account["country"] == "FR"
    assert account["account"] == "x:@NovaTelecom_FR"
    assert account["business_hours"] == {
        "timezone": "Europe/Paris",
        "days": ["mon", "tue"],
        "start": "09:00",
        "end": "18:00",
    }
    again = api.post("/api/v1/accounts", json=body | {"handle": "novatelecom_fr"})
    assert again.status_code == 409 and again.json()["field"] == "handle"
    bad = api.post("/api/v1/accounts", json=body | {"business_hours": {"timezone": "Mars/Olympus"}})
    assert bad.status_code == 422
    assert bad.json()["field"] == "business_hours.timezone" and "Mars/Olympus" in bad.json()["detail"]
    late = api.post(
        "/api/v1/accounts",
        json=body | {"business_hours": {"timezone": "UTC", "start": "18:00", "end": "09:00"}},
    )
    assert late.status_code == 422 and "must come after start" in late.json()["detail"]
    assert (
        api.post("/api/v1/accounts", content=b"{", headers={"content-type": "application/json"}).status_code
        == 422
    )

    account_id = account["id"]
    assert api.get(f"/api/v1/accounts/{account_id}").json()["brand"] == "Nova Telecom"
    replaced = api.put(
        f"/api/v1/accounts/{account_id}", json=body | {"brand": "Nova", "business_hours": None}
    )
    assert replaced.status_code == 200 and replaced.json()["business_hours"] is None
    assert [item["brand"] for item in api.get("/api/v1/accounts").json()["items"]] == ["Nova"]
    assert api.delete(f"/api/v1/accounts/{account_id}").status_code == 204
    assert api.get(f"/api/v1/accounts/{account_id}").status_code == 404
    assert api.delete(f"/api/v1/accounts/{account_id}").status_code == 404


def test_import_csv(api: httpx.Client) -> None:
    good = (
        "platform,handle,brand,country,ours,timezone,days,start,end\n"
        "x,NovaTelecom_FR,Nova Telecom,FR,true,Europe/Paris,mon-fri,09:00,18:00\n"
        "x,HelixTelecom,Helix Telecom,,false,,,,\n"
    )
    response = api.post("/api/v1/accounts/import", content=good.replace("mon-fri", "mon tue wed thu fri"))
    assert response.status_code == 200 and response.json() == {"created": 2, "updated": 0}
    again = api.post("/api/v1/accounts/import", content=good.replace("mon-fri", "mon"))
    assert again.json() == {"created": 0, "updated": 2}
    items = {item["account"]: item for item in api.get("/api/v1/accounts").json()["items"]}
    assert items["x:@HelixTelecom"]["country"] is None and items["x:@HelixTelecom"]["business_hours"] is None
    assert items["x:@NovaTelecom_FR"]["business_hours"]["days"] == ["mon"]
    bad = api.post("/api/v1/accounts/import", content="platform,handle,brand,country,ours\nx,A,B,FR,maybe\n")
    assert bad.status_code == 422
    assert bad.json()["detail"] == "line 2, column 5 (ours): expected true or false, got 'maybe'"


def test_care_analytics_matches_the_plain_python_reading(live: LiveHub, api: httpx.Client) -> None:
    store = live.hub.store
    import_accounts(store=store, specs=ACCOUNTS)
    posts = build_posts()
    store.upsert_posts(posts)
    accounts = {account.label: account for account in list_accounts(store=store)}
    now = inbound_times(posts, list(accounts.values()), start=START, end=END, business_hours=True)
    before = inbound_times(
        posts, list(accounts.values()), start=PREVIOUS_START, end=START, business_hours=True
    )

    # 01:00 in Paris on 2 November is midnight UTC: the same window as START..END.
    response = api.get(
        "/api/v1/analytics/care",
        params={
            "from": "2026-11-02T01:00",
            "to": "2026-11-09T01:00:00",
            "tz": "Europe/Paris",
            "business_hours": "true",
            "sla_s": 1800,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["previous_from"]) == (
        "2026-11-02T00:00:00Z",
        "2026-11-09T00:00:00Z",
        "2026-10-26T00:00:00Z",
    )
    assert body["sla_s"] == 1800 and body["business_hours"] is True
    assert {item["account"] for item in body["items"]} == set(accounts)
    for item in body["items"]:
        account = accounts[item["account"]]
        want, want_before = (
            expected_figures(now[account.id], sla_s=1800),
            expected_figures(before[account.id], sla_s=1800),
        )
        for name in FIGURES:
            assert item[name] == pytest.approx(want[name]), (item["account"], name)
            assert item["previous"][name] == pytest.approx(want_before[name]), (item["account"], name)

    brands = api.get(
        "/api/v1/analytics/care",
        params={"from": "2026-11-02", "to": "2026-11-09", "group_by": "brand", "source": "bluesky"},
    )
    assert [(item["brand"], item["inbound"]) for item in brands.json()["items"]] == [("Helix Telecom", 1)]
    for params, message in (
        ({"from": "2026-11-09", "to": "2026-11-02"}, "to: must come after from"),
        ({"from": "2026-11-02", "to": "2026-11-09", "group_by": "city"}, "group_by: must be one of"),
        ({"from": "2026-11-02", "to": "2026-11-09", "tz": "Mars/Olympus"}, "tz: 'Mars/Olympus'"),
        ({"from": "yesterday", "to": "2026-11-09"}, "from: 'yesterday' is not an ISO date"),
    ):
        refused = api.get("/api/v1/analytics/care", params=params)
        assert refused.status_code == 422 and message in refused.json()["detail"], refused.text


def test_care_report_as_csv_and_parquet_holds_the_json_figures(live: LiveHub, api: httpx.Client) -> None:
    store = live.hub.store
    import_accounts(store=store, specs=ACCOUNTS)
    store.upsert_posts(build_posts())
    for group_by in ("account", "brand", "country"):
        params = {"from": "2026-11-02", "to": "2026-11-09", "group_by": group_by, "business_hours": "true"}
        body = api.get("/api/v1/analytics/care", params=params).json()
        as_csv = api.get("/api/v1/analytics/care", params=params | {"format": "csv"})
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert 'filename="care.csv"' in as_csv.headers["content-disposition"]
        table = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert len(table) == len(body["items"]) > 0
        for row, item in zip(table, body["items"], strict=True):
            for name in FIGURES:
                want = item[name]
                assert row[name] == (
                    "" if want is None else repr(want) if isinstance(want, float) else str(want)
                )
                before = item["previous"][name]
                assert row[f"previous_{name}"] == ("" if before is None else str(before))
            assert row["brand"] == item["brand"]
            assert row["trend_inbound"] == (item["trend"]["inbound"] or "")
        parquet = api.get("/api/v1/analytics/care", params=params | {"format": "parquet"})
        read = pq.read_table(io.BytesIO(parquet.content))
        assert read.column("inbound").to_pylist() == [item["inbound"] for item in body["items"]]
        assert json.loads(read.schema.metadata[b"veille"])["group_by"] == group_by
    refused = api.get(
        "/api/v1/analytics/care", params={"from": "2026-11-02", "to": "2026-11-09", "format": "xls"}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "format"

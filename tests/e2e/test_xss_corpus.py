"""Issue 14, done means: an XSS corpus placed in posts' text, author names and bios, links,
hashtags, dashboard, wall and widget titles renders inert on every page and wall in Chromium.

One hub, one browser page reused across the pages. On each page: the ``window.__xss`` sentinel the
payloads would set is never set, no dialog opens, no element of a payload (they all carry
``data-xss``) is in the DOM, no link has a ``javascript:`` address, no frame, templates are not
evaluated (``tpl{{7*7}}`` never becomes ``tpl49``), and every right-to-left override (U+202E) is
isolated (``<bdi>``, a ``dir`` attribute or ``unicode-bidi: isolate``) so that it cannot turn the
text around it. Screenshot: tests/e2e/screenshots/xss-corpus-explore.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import PageProblems, log_in
from tests.support.live_server import LiveHub
from tests.support.workspace import history_posts, push_posts, serve_workspace
from veille.alerts.repository import insert_alert
from veille.settings import Settings

pytestmark = pytest.mark.browser

RLO = "\u202e"
# Each payload would set window.__xss (or open a dialog) if it ran, and each element it would
# create carries data-xss.
PAYLOADS = [
    "<script data-xss>window.__xss=1</script>",
    '<img data-xss src=x onerror="window.__xss=2">',
    '<svg data-xss onload="window.__xss=3"><circle r="9"></circle></svg>',
    '<a data-xss href="javascript:window.__xss=4">clique ici</a>',
    '<div data-xss style="position:fixed;inset:0;background:red">css</div><style data-xss>body{display:none}</style>',
    '"><img data-xss src=x onerror=alert(6)>',
    "'-alert(7)-' \";alert(8);//",
    "tpl{{7*7}} tpl${7*7} tpl<%= 7*7 %> tpl{{constructor.constructor('window.__xss=9')()}}",
    "&lt;b data-xss&gt;entities&lt;/b&gt; &#60;img data-xss src=x onerror=alert(10)&#62;",
    f"facture{RLO}fdp.exe",
    '<iframe data-xss src="javascript:window.__xss=11"></iframe>',
    '<details data-xss open ontoggle="window.__xss=12">x</details>',
]
HOSTILE_NAME = f'<img data-xss src=x onerror="window.__xss=20">Eve {RLO}evil'
HOSTILE_BIO = '<svg data-xss onload="window.__xss=21"></svg> bio {{7*7}}'
HOSTILE_TITLE = '<img data-xss src=x onerror="window.__xss=22">Titre'


def _hostile_posts() -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    posts = []
    for index, payload in enumerate(PAYLOADS):
        posts.append(
            {
                "id": f"push:xss-{index}",
                "source": "push",
                "created_at": (now - timedelta(seconds=30 + index * 20)).isoformat().replace("+00:00", "Z"),
                # "nova" and "panne": the demo topics match, so the boards and widgets show them.
                "text": f"Nova panne fibre {payload} #nova",
                "lang": "fr",
                "country": "FR",
                "url": "javascript:window.__xss=30",
                "links": [
                    "javascript:window.__xss=31",
                    f"https://example.org/a?q=<img data-xss src=x>{index}",
                ],
                "hashtags": ['<img data-xss src=x onerror="window.__xss=32">', "nova"],
                "author": {
                    "handle": "eve_xss",
                    "name": HOSTILE_NAME,
                    "bio": HOSTILE_BIO,
                    "followers": 9_000_000,
                    "location": '<img data-xss src=x onerror="window.__xss=33">',
                },
                "metrics": {"likes": 5000 + index, "reposts": 800, "replies": 300},
                "extra": {"title": HOSTILE_TITLE, "link_title": HOSTILE_TITLE},
            }
        )
    return posts


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("xss") / "veille-data")
    with serve_workspace(settings) as hub:
        push_posts(hub, history_posts(hours=3, count=300))
        hostile = _hostile_posts()
        assert push_posts(hub, hostile) == len(hostile)
        yield hub


def _api(live: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=30)


def _objects(live: LiveHub) -> dict[str, str]:
    """A dashboard with widgets, a wall and its kiosk link, an alert: all with hostile titles."""
    widgets = [
        {"type": "feed", "title": HOSTILE_TITLE, "x": 0, "y": 0, "w": 6, "h": 6, "options": {"limit": 20}},
        {"type": "top_posts", "x": 6, "y": 0, "w": 6, "h": 6, "options": {"limit": 10}},
        {"type": "influencers", "x": 0, "y": 6, "w": 6, "h": 5, "options": {"limit": 5}},
        {"type": "trends", "x": 6, "y": 6, "w": 6, "h": 5, "options": {"kind": "hashtags", "window": 3600}},
        {"type": "text", "x": 0, "y": 11, "w": 6, "h": 3, "options": {"text": PAYLOADS[1] + PAYLOADS[9]}},
        {"type": "content", "x": 6, "y": 11, "w": 6, "h": 4, "options": {"group_by": "format"}},
        {"type": "map", "x": 0, "y": 14, "w": 6, "h": 4, "options": {}},
    ]
    with _api(live) as api:
        dashboard = api.post(
            "/api/v1/dashboards",
            json={"name": HOSTILE_TITLE, "widgets": widgets, "filters": {"range": "24h"}},
        )
        assert dashboard.status_code == 201, dashboard.text
        wall = api.post(
            "/api/v1/walls",
            json={
                "name": HOSTILE_TITLE,
                "screens": {"columns": 2, "rows": 1},
                "filters": {"range": "24h"},
                "scenes": [
                    {
                        "name": HOSTILE_TITLE,
                        "duration_s": 300,
                        "widgets": [
                            {"type": "carousel", "x": 0, "y": 0, "w": 12, "h": 8},
                            {"type": "feed", "title": HOSTILE_TITLE, "x": 12, "y": 0, "w": 6, "h": 12},
                            {
                                "type": "text",
                                "x": 0,
                                "y": 8,
                                "w": 12,
                                "h": 4,
                                "options": {"text": PAYLOADS[2]},
                            },
                            {"type": "top_posts", "x": 18, "y": 0, "w": 6, "h": 12},
                        ],
                    }
                ],
            },
        )
        assert wall.status_code == 201, wall.text
        wall_id = wall.json()["id"]
        link = api.post(f"/api/v1/walls/{wall_id}/links")
        assert link.status_code == 201, link.text
    now_us = int(datetime.now(UTC).timestamp() * 1_000_000)
    with live.hub.store.engine.begin() as connection:
        alert_id = insert_alert(
            connection,
            {
                "rule_id": None,
                "rule_name": HOSTILE_TITLE,
                "kind": "spike",
                "topic": None,
                "severity": "critical",
                "status": "open",
                "opened_us": now_us - 600_000_000,
                "updated_us": now_us,
                "posts": len(PAYLOADS),
                "summary": PAYLOADS[1] + " " + PAYLOADS[9],
                "figures": {},
                "playbook": [HOSTILE_TITLE],
                "checked": [],
                "window_s": 3600,
                "query": "nova",
            },
        )
    return {
        "dashboard": f"/dashboards/{dashboard.json()['id']}",
        "wall": f"/walls/{wall_id}",
        "kiosk": link.json()["url"],
        "crisis": f"/crisis/{alert_id}",
    }


# After the page's own content is there: what a payload would have left behind.
_REPORT = """() => {
  const rlo = '\\u202e';
  const isolated = (node) => {
    for (let element = node.parentElement, depth = 0; element && depth < 4; element = element.parentElement, depth++) {
      if (['BODY', 'HTML', 'MAIN'].includes(element.tagName)) return false;
      const bidi = getComputedStyle(element).unicodeBidi;
      if (element.tagName === 'BDI' || ['isolate', 'isolate-override', 'plaintext'].includes(bidi)) return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const unisolated = [];
  let overrides = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.nodeValue.includes(rlo) || ['SCRIPT', 'STYLE', 'TEXTAREA'].includes(node.parentElement.tagName)) continue;
    overrides += 1;
    if (!isolated(node)) unisolated.push(node.parentElement.outerHTML.slice(0, 160));
  }
  return {
    sentinel: typeof window.__xss,
    injected: [...document.querySelectorAll('[data-xss]')].map((e) => e.outerHTML.slice(0, 120)),
    scriptLinks: [...document.querySelectorAll('a[href], area[href]')].filter((a) => a.protocol === 'javascript:').map((a) => a.outerHTML.slice(0, 120)),
    frames: document.querySelectorAll('iframe, frame, object, embed').length,
    evaluated: document.body.innerText.includes('tpl49'),
    hidden: getComputedStyle(document.body).display === 'none',
    overrides,
    unisolated,
  };
}"""

# Page → text that shows its content has arrived (a hostile post's marker, or the page's own).
_PAGES = [
    ("/explore", "facture"),
    # The post drawer (the post's address, its author card with the bio).
    ("/explore?range=24h&post=push%3Axss-3", ".drawer[data-post-id='push:xss-3'][data-state=ready]"),
    ("/wall", "facture"),
    ("{dashboard}", "facture"),
    ("/dashboards", "Titre"),
    ("/walls", "Titre"),
    ("{wall}", "facture"),
    ("{wall}/moderation", "facture"),
    ("/care", None),
    ("/countries", None),
    ("/influencers", "eve_xss"),
    ("/influencers/eve_xss", "facture"),
    ("/content", None),
    ("/alerts", "Titre"),
    ("{crisis}", "Titre"),
    ("/topics", None),
    ("/sources", None),
    # Pages of the sharing, inbox, reports and editorial work (their own content, the corpus where
    # they show posts or titles).
    ("/crisis/topic/nova", None),
    ("/catalogue", None),
    ("/inbox", None),
    ("/radar", None),
    ("/briefs", None),
    ("/reports", None),
    ("/governance", None),
    ("/governance/register", None),
    ("/admin/users", None),
    ("/admin/teams", None),
    ("/admin/tokens", None),
    ("/admin/audit", None),
]


def _check(page: Any, problems: PageProblems, path: str, marker: str | None) -> dict[str, Any]:
    page.goto(path)
    page.wait_for_load_state("load")
    if marker and marker.startswith("."):
        page.wait_for_selector(marker, timeout=20_000)
    elif marker:
        page.wait_for_function(f"() => document.body.innerText.includes({marker!r})", timeout=20_000)
    # An <img onerror> or <svg onload> would fire after the element is inserted: let that happen.
    page.wait_for_timeout(250)
    report: dict[str, Any] = page.evaluate(_REPORT)
    report["dialogs"] = list(problems.dialogs)
    return report


def test_the_corpus_renders_inert_on_every_page_and_wall(
    live: LiveHub, page: Any, browser: Any, problems: PageProblems, screenshots: Path
) -> None:
    paths = _objects(live)
    log_in(page, live, "/explore")
    failures: dict[str, Any] = {}
    overrides_seen = 0
    for template, marker in _PAGES:
        path = live.base_url + template.format(**paths)
        report = _check(page, problems, path, marker)
        if template == "/explore":
            page.screenshot(path=str(screenshots / "xss-corpus-explore.png"))
        overrides_seen += report["overrides"]
        bad = {
            key: report[key]
            for key in ("injected", "scriptLinks", "frames", "evaluated", "hidden", "unisolated", "dialogs")
            if report[key]
        }
        if report["sentinel"] != "undefined":
            bad["sentinel"] = report["sentinel"]
        if bad:
            failures[template] = bad
    # The kiosk link, in a browser that never logged in.
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        kiosk = context.new_page()
        kiosk_problems = PageProblems()
        kiosk_problems.attach(kiosk)
        report = _check(kiosk, kiosk_problems, live.base_url + paths["kiosk"], "facture")
        overrides_seen += report["overrides"]
        bad = {
            key: report[key]
            for key in ("injected", "scriptLinks", "frames", "unisolated", "dialogs")
            if report[key]
        }
        if report["sentinel"] != "undefined":
            bad["sentinel"] = report["sentinel"]
        if bad:
            failures["kiosk"] = bad
    finally:
        context.close()
    assert failures == {}
    assert overrides_seen > 0, (
        "the right-to-left overrides were shown somewhere (else the check checked nothing)"
    )

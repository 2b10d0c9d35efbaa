"""Who may call which API route: one table, read by one dependency on the whole ``/api/v1`` group.

Each route names the least role that may call it (``viewer`` < ``analyst`` < ``admin``). A route
missing from the table is refused to everyone (and ``tests/integration/web/test_authorization.py``
fails, so a new route cannot ship without its entry). What a caller *sees* once allowed is the
scope of their teams (:func:`veille.web.api._params.caller_scope`).
"""

from __future__ import annotations

import re

from fastapi import Request

from veille.access import Principal
from veille.errors import Forbidden

__all__ = ["POLICY", "authorize", "required_role"]

V, A, ADMIN = "viewer", "analyst", "admin"
API_PREFIX = "/api/v1"

POLICY: dict[str, str] = {
    # the official-account registry: the communication unit's (admins)
    "GET /api/v1/accounts": V,
    "POST /api/v1/accounts": ADMIN,
    "POST /api/v1/accounts/import": ADMIN,
    "GET /api/v1/accounts/{account_id}": V,
    "PUT /api/v1/accounts/{account_id}": ADMIN,
    "DELETE /api/v1/accounts/{account_id}": ADMIN,
    # figures: everyone, inside their scope
    "GET /api/v1/analytics/authors/{handle}": V,
    "GET /api/v1/analytics/care": V,
    "GET /api/v1/analytics/content-performance": V,
    "GET /api/v1/analytics/influencers": V,
    "GET /api/v1/analytics/sentiment": V,
    "GET /api/v1/analytics/share-of-voice": V,
    "GET /api/v1/analytics/top-domains": V,
    "GET /api/v1/analytics/top-hashtags": V,
    "GET /api/v1/analytics/top-links": V,
    "GET /api/v1/analytics/top-posts": V,
    "GET /api/v1/analytics/trends": V,
    "GET /api/v1/analytics/volume": V,
    "GET /api/v1/connectors": V,
    # dashboards: analysts make them, everyone reads them
    "GET /api/v1/dashboards": V,
    "POST /api/v1/dashboards": A,
    "GET /api/v1/dashboards/{dashboard_id}": V,
    "PUT /api/v1/dashboards/{dashboard_id}": A,
    "DELETE /api/v1/dashboards/{dashboard_id}": A,
    "GET /api/v1/dashboards/{dashboard_id}/report.pdf": V,
    # the community-management inbox: everyone reads the queue, analysts answer, admins hold credentials
    "GET /api/v1/inbox": V,
    "GET /api/v1/inbox/summary": V,
    "GET /api/v1/inbox/saved-replies": V,
    "POST /api/v1/inbox/saved-replies": A,
    "PUT /api/v1/inbox/saved-replies/{reply_id}": A,
    "DELETE /api/v1/inbox/saved-replies/{reply_id}": A,
    "GET /api/v1/inbox/accounts": A,
    "PUT /api/v1/inbox/accounts/{account_id}": ADMIN,
    "GET /api/v1/inbox/{post_id}": V,
    "GET /api/v1/inbox/{post_id}/thread": V,
    "POST /api/v1/inbox/{post_id}/assign": A,
    "POST /api/v1/inbox/{post_id}/reply": A,
    "POST /api/v1/inbox/{post_id}/close": A,
    "POST /api/v1/inbox/{post_id}/lock": A,
    "POST /api/v1/inbox/{post_id}/unlock": A,
    "POST /api/v1/inbox/{post_id}/tags": A,
    "POST /api/v1/inbox/{post_id}/status": A,
    # the editorial radar and briefs: everyone reads, analysts make briefs and link content
    "GET /api/v1/editorial/radar": V,
    "GET /api/v1/editorial/briefs": V,
    "POST /api/v1/editorial/briefs": A,
    "GET /api/v1/editorial/briefs/{brief_id}": V,
    "PUT /api/v1/editorial/briefs/{brief_id}": A,
    "DELETE /api/v1/editorial/briefs/{brief_id}": A,
    "GET /api/v1/editorial/briefs/{brief_id}.md": V,
    "GET /api/v1/editorial/briefs/{brief_id}.pdf": V,
    "POST /api/v1/editorial/briefs/{brief_id}/links": A,
    "DELETE /api/v1/editorial/briefs/{brief_id}/links/{post_id}": A,
    # the curated influencer list analysts maintain
    "GET /api/v1/influencers/curated": V,
    "POST /api/v1/influencers/curated": A,
    "GET /api/v1/influencers/curated/{influencer_id}": V,
    "PUT /api/v1/influencers/curated/{influencer_id}": A,
    "DELETE /api/v1/influencers/curated/{influencer_id}": A,
    "GET /api/v1/jobs/{job_id}": V,
    "GET /api/v1/me": V,
    "PUT /api/v1/me": V,
    "GET /api/v1/models/sentiment": V,
    "POST /api/v1/models/sentiment/retrain": ADMIN,
    # posts: read in scope; pushing and correcting are analysts'
    "GET /api/v1/posts": V,
    "POST /api/v1/posts": A,
    "GET /api/v1/posts/export": V,
    "GET /api/v1/posts/{post_id}": V,
    "POST /api/v1/posts/{post_id}/sentiment": A,
    # the query tools change nothing
    "POST /api/v1/query/import": V,
    "POST /api/v1/query/test": V,
    "POST /api/v1/query/lint": V,
    "POST /api/v1/query/preview": V,
    "GET /api/v1/schema/post": V,
    # sources: their configuration is the administrators'
    "GET /api/v1/sources": A,
    "POST /api/v1/sources": ADMIN,
    "GET /api/v1/sources/{name}": A,
    "DELETE /api/v1/sources/{name}": ADMIN,
    "PUT /api/v1/sources/{name}/sharing": ADMIN,
    "GET /api/v1/sources/{name}/failed": A,
    "POST /api/v1/sources/{name}/start": ADMIN,
    "POST /api/v1/sources/{name}/stop": ADMIN,
    "GET /api/v1/stream": V,
    # topics: analysts write the taxonomy
    "GET /api/v1/topics": V,
    "POST /api/v1/topics": A,
    "GET /api/v1/topics/{name}": V,
    "PATCH /api/v1/topics/{name}": A,
    "DELETE /api/v1/topics/{name}": A,
    "POST /api/v1/topics/{name}/backfill": A,
    # walls: everyone watches them, analysts build, moderate and run them
    "GET /api/v1/walls": V,
    "POST /api/v1/walls": A,
    "GET /api/v1/walls/{wall_id}": V,
    "PUT /api/v1/walls/{wall_id}": A,
    "DELETE /api/v1/walls/{wall_id}": A,
    "GET /api/v1/walls/{wall_id}/versions": V,
    "GET /api/v1/walls/{wall_id}/state": V,
    "POST /api/v1/walls/{wall_id}/scene": A,
    "GET /api/v1/walls/{wall_id}/posts": V,
    "GET /api/v1/walls/{wall_id}/stream": V,
    "GET /api/v1/walls/{wall_id}/moderation": A,
    "POST /api/v1/walls/{wall_id}/moderation/{post_id}": A,
    "GET /api/v1/walls/{wall_id}/links": A,
    "POST /api/v1/walls/{wall_id}/links": A,
    "DELETE /api/v1/walls/{wall_id}/links/{token}": A,
    # alerts: analysts write the rules and work the incidents; everyone follows them
    "GET /api/v1/alerts": V,
    "GET /api/v1/alerts/rules": V,
    "POST /api/v1/alerts/rules": A,
    "GET /api/v1/alerts/rules/{rule_id}": V,
    "PUT /api/v1/alerts/rules/{rule_id}": A,
    "DELETE /api/v1/alerts/rules/{rule_id}": A,
    "GET /api/v1/alerts/{alert_id}": V,
    "GET /api/v1/alerts/{alert_id}/report": V,
    "GET /api/v1/alerts/topic/{topic}/report": V,
    "POST /api/v1/alerts/{alert_id}/acknowledge": A,
    "POST /api/v1/alerts/{alert_id}/assign": A,
    "POST /api/v1/alerts/{alert_id}/notes": A,
    "POST /api/v1/alerts/{alert_id}/playbook": A,
    "POST /api/v1/alerts/{alert_id}/resolve": A,
    # scheduled reports: analysts schedule them, everyone reads those of their teams
    "GET /api/v1/reports": V,
    "POST /api/v1/reports": A,
    "GET /api/v1/reports/{report_id}": V,
    "PUT /api/v1/reports/{report_id}": A,
    "DELETE /api/v1/reports/{report_id}": A,
    "POST /api/v1/reports/{report_id}/run": A,
    "GET /api/v1/reports/{report_id}/runs/{run_id}/pdf": V,
    # the organisation: teams, users and the audit log are the administrators'; tokens are anyone's own
    "GET /api/v1/teams": V,
    "POST /api/v1/teams": ADMIN,
    "GET /api/v1/teams/{team_name}": V,
    "PUT /api/v1/teams/{team_name}": ADMIN,
    "DELETE /api/v1/teams/{team_name}": ADMIN,
    "GET /api/v1/users": ADMIN,
    "POST /api/v1/users": ADMIN,
    "PUT /api/v1/users/{username}": ADMIN,
    "DELETE /api/v1/users/{username}": ADMIN,
    "GET /api/v1/tokens": V,
    "POST /api/v1/tokens": V,
    "DELETE /api/v1/tokens/{token_id}": V,
    "GET /api/v1/audit": ADMIN,
    # sharing: the catalogue lists what each caller may see
    "GET /api/v1/catalogue": V,
    # official-account governance: analysts file, admins review, everyone reads the register
    "GET /api/v1/governance/requests": V,
    "POST /api/v1/governance/requests": A,
    "GET /api/v1/governance/requests/{request_id}": V,
    "PUT /api/v1/governance/requests/{request_id}": A,
    "POST /api/v1/governance/requests/{request_id}/approve": ADMIN,
    "POST /api/v1/governance/requests/{request_id}/reject": ADMIN,
    "POST /api/v1/governance/requests/{request_id}/request-changes": ADMIN,
    "POST /api/v1/governance/requests/{request_id}/comments": A,
    "GET /api/v1/governance/register": V,
}


_CONVERTER = re.compile(r"\{(\w+):\w+\}")


def required_role(method: str, path: str) -> str | None:
    """The least role for ``METHOD /path`` (the route's template, ``{id:path}`` read as ``{id}``),
    or None: no rule, refused."""
    template = _CONVERTER.sub(r"{\1}", path)
    return POLICY.get(f"{'GET' if method == 'HEAD' else method} {template}")


def authorize(request: Request, principal: Principal) -> None:
    """Refuse (403) a caller whose role is below the route's; the message names what is missing."""
    route = request.scope.get("route")
    template = _CONVERTER.sub(r"{\1}", getattr(route, "path", request.url.path))
    # The API group's routers are included lazily: their routes' own paths lack the group's prefix.
    if not template.startswith(API_PREFIX + "/"):
        template = API_PREFIX + template
    role = required_role(request.method, template)
    if role is None:
        raise Forbidden(f"{request.method} {template}: no authorization rule; refused to everyone")
    if not principal.may(role):
        raise Forbidden(
            f"role: {request.method} {template} needs the {role} role (you are {principal.role})",
            field="role",
        )

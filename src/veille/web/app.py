"""The FastAPI application, built by :func:`create_app` from settings (no work at import).

Every API router is mounted under ``/api/v1`` inside one group that requires a principal, so a new
route is private unless it is added outside the group on purpose (``/healthz`` is). Errors are
answered by :func:`veille.web.errors.install_error_handlers`, in one shape for the whole API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from veille import __version__
from veille.clock import Clock
from veille.contracts import Source
from veille.hub import Hub
from veille.security import SecretBox
from veille.security.login_throttle import LoginLimits, LoginThrottle
from veille.settings import Settings
from veille.sso import OidcClient, OidcConfig
from veille.web.api import (
    accounts,
    alerts,
    analytics,
    audit,
    catalogue,
    corrections,
    dashboards,
    editorial,
    governance,
    inbox,
    influencers,
    jobs,
    me,
    posts,
    query,
    reports,
    sources,
    stream,
    teams,
    topics,
    users,
    walls,
)
from veille.web.assets import STATIC_CONSTANTS, STATIC_DIR, CachedStaticFiles, static_prefix
from veille.web.board_pages import router as board_pages_router
from veille.web.brand import router as brand_router
from veille.web.crisis_pages import router as crisis_pages_router
from veille.web.dashboard_pages import router as dashboard_pages_router
from veille.web.deps import CurrentHub, CurrentPrincipal, optional_principal, require_authorized
from veille.web.editorial_pages import router as editorial_pages_router
from veille.web.errors import install_error_handlers
from veille.web.explorer_pages import router as explorer_pages_router
from veille.web.html_errors import install as install_html_errors
from veille.web.i18n.routes import router as i18n_router
from veille.web.inbox_pages import router as inbox_pages_router
from veille.web.limits import RequestLimits
from veille.web.oidc_pages import router as oidc_pages_router
from veille.web.openapi import complete_openapi
from veille.web.pages import router as pages_router
from veille.web.report_pages import router as report_pages_router
from veille.web.schemas import ErrorRead, HealthRead
from veille.web.security_headers import (
    SecurityHeaders,
    content_security_policy,
    inline_script_hashes,
    template_script_hashes,
)
from veille.web.sharing_pages import router as sharing_pages_router
from veille.web.stopping import RefuseWhileStopping
from veille.web.wall_pages import router as wall_pages_router

__all__ = ["API_ROUTERS", "create_app"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
# The API's routers, one per domain, all under /api/v1 and all authenticated.
API_ROUTERS: tuple[APIRouter, ...] = (
    posts.router,
    stream.router,
    topics.router,
    jobs.router,
    sources.router,
    accounts.router,
    influencers.router,
    analytics.router,
    query.router,
    corrections.router,
    dashboards.router,
    editorial.router,
    walls.router,
    alerts.router,
    reports.router,
    inbox.router,
    me.router,
    teams.router,
    users.router,
    audit.router,
    catalogue.router,
    governance.router,
)
_API_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorRead, "description": "no or bad credentials (WWW-Authenticate: Bearer)"},
    403: {
        "model": ErrorRead,
        "description": "the caller's role is below the route's, or a cookie-authenticated change without X-Requested-With",
    },
    422: {"model": ErrorRead, "description": "a parameter or body field is wrong (the message names it)"},
}


def create_app(
    settings: Settings, *, hub: Hub | None = None, sources: Sequence[Source] = (), clock: Clock | None = None
) -> FastAPI:
    """Build the app. The hub (store, bus, pipeline) is built now and started with the app.

    ``clock`` times the login throttle (tests pass a clock they move forward)."""
    the_hub = hub or Hub.build(settings, sources=sources)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await the_hub.start()
        try:
            yield
        finally:
            await the_hub.stop()

    app = FastAPI(
        title="Veille",
        version=__version__,
        description="Open-source social hub: listening, topics, analytics and live walls.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.hub = the_hub
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle(login_limits(settings), clock=clock)
    # Single sign-on (OpenID Connect) when an issuer and a client id are set; its flow cookie is
    # sealed with the hub's secret key.
    oidc_config = OidcConfig.from_settings(settings)
    app.state.oidc = OidcClient(oidc_config) if oidc_config is not None else None
    app.state.oidc_box = SecretBox.for_data_dir(settings.data_dir) if oidc_config is not None else None
    app.add_middleware(RefuseWhileStopping, hub=the_hub)
    # Outermost: sizes, JSON depth and NUL characters are checked before any route reads a byte.
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    # Versioned and kept by browsers (veille.web.assets); the plain address stays for older links.
    app.mount(static_prefix(), CachedStaticFiles(directory=STATIC_DIR), name="static-versioned")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.demo_platform:
        # The demo's fake platform write APIs, which its accounts answer through (veille.demo.inbox).
        from veille.demo.reply_platform import ReplyPlatform

        app.mount("/demo/platform", ReplyPlatform().app(), name="demo-platform")
    install_error_handlers(app)
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_authorized)], responses=_API_RESPONSES)
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(i18n_router)
    app.include_router(brand_router)
    app.include_router(pages_router)
    app.include_router(oidc_pages_router)
    app.include_router(dashboard_pages_router)
    app.include_router(explorer_pages_router)
    app.include_router(board_pages_router)
    app.include_router(wall_pages_router)
    app.include_router(crisis_pages_router)
    app.include_router(report_pages_router)
    app.include_router(sharing_pages_router)
    app.include_router(inbox_pages_router)
    app.include_router(editorial_pages_router)
    _add_operations_routes(app)
    install_html_errors(app)
    # Outermost of all: every answer, the limits' refusals included, carries the security headers.
    policy = content_security_policy(template_script_hashes(TEMPLATES_DIR, STATIC_CONSTANTS))
    docs_policy = content_security_policy(
        sorted(
            {
                *template_script_hashes(TEMPLATES_DIR, STATIC_CONSTANTS),
                *inline_script_hashes(bytes(_swagger_page().body).decode()),
            }
        )
    )
    app.add_middleware(
        SecurityHeaders, policy=policy, policies={"/docs": docs_policy}, hsts=settings.behind_tls
    )
    return app


def _add_operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"], response_model=HealthRead)
    async def healthz(hub: CurrentHub) -> dict[str, Any]:
        """Liveness: open to all (load balancers), says nothing private."""
        return {"status": "ok", "version": __version__, "store": hub.store.dialect}

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}},
    )
    async def metrics(hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
        """Prometheus exposition (send the API token as a bearer token from the scraper)."""
        return Response(hub.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(_principal: CurrentPrincipal) -> JSONResponse:
        return JSONResponse(app.openapi())

    base_openapi = app.openapi

    def openapi_document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_openapi(base_openapi())
        return app.openapi_schema

    app.openapi = openapi_document  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> Response:
        hub: Hub = request.app.state.hub
        if await optional_principal(request, hub) is None:
            return RedirectResponse("/login?next=/docs", status_code=303)
        return _swagger_page()


def _swagger_page() -> HTMLResponse:
    """Swagger UI from the vendored files (its inline start-up script is allowed by its hash)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Veille API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


def login_limits(settings: Settings) -> LoginLimits:
    return LoginLimits(
        failures=settings.login_failures,
        window_s=settings.login_failure_window_s,
        lockout_s=settings.login_lockout_s,
        lockout_max_s=settings.login_lockout_max_s,
        address_per_minute=settings.login_address_per_minute,
        address_burst=settings.login_address_burst,
    )

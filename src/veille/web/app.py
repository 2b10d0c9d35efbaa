"""The FastAPI application, built by :func:`create_app` from settings (no work at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from veille import __version__
from veille.contracts import Source
from veille.hub import Hub
from veille.settings import Settings
from veille.web.api import analytics as analytics_api
from veille.web.api import care as care_api
from veille.web.api import corrections as corrections_api
from veille.web.api import dashboards as dashboards_api
from veille.web.api import insights as insights_api
from veille.web.api import me as me_api
from veille.web.api import posts, stream
from veille.web.api import sources as sources_api
from veille.web.api import topics as topics_api
from veille.web.dashboard_pages import router as dashboard_pages_router
from veille.web.deps import CurrentHub, CurrentPrincipal, optional_principal
from veille.web.html_errors import install as install_html_errors
from veille.web.i18n.routes import router as i18n_router
from veille.web.pages import router as pages_router

__all__ = ["create_app"]

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings, *, hub: Hub | None = None, sources: Sequence[Source] = ()) -> FastAPI:
    """Build the app. The hub (store, bus, pipeline) is built now and started with the app."""
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
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(posts.router)
    app.include_router(stream.router)
    app.include_router(topics_api.router)
    app.include_router(sources_api.router)
    app.include_router(care_api.router)
    app.include_router(analytics_api.router)
    app.include_router(insights_api.router)
    app.include_router(corrections_api.router)
    app.include_router(dashboards_api.router)
    app.include_router(me_api.router)
    app.include_router(i18n_router)
    app.include_router(pages_router)
    app.include_router(dashboard_pages_router)
    _add_operations_routes(app)
    install_html_errors(app)
    return app


def _add_operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz(hub: CurrentHub) -> dict[str, Any]:
        """Liveness: open to all (load balancers), says nothing private."""
        return {"status": "ok", "version": __version__, "store": hub.store.dialect}

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics(hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
        """Prometheus exposition (send the API token as a bearer token from the scraper)."""
        return Response(hub.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(_principal: CurrentPrincipal) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> Response:
        hub: Hub = request.app.state.hub
        if await optional_principal(request, hub) is None:
            return RedirectResponse("/login?next=/docs", status_code=303)
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Veille API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

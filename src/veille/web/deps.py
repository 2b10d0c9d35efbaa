"""Typed dependencies: who is calling, the parts of the running hub a route touches, and loaders
that fetch the object a path names (or answer 404) once for every route that needs it.

A route states what it uses: ``store: Store``, ``jobs: Jobs``, ``topic: CurrentTopic``… rather
than reaching through the hub. Authentication is applied once for the whole API (see
:mod:`veille.web.app`); ``CurrentPrincipal`` is for routes that need to know *who* calls.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from veille.access import Principal
from veille.errors import NotFound, Unavailable
from veille.hub import Hub
from veille.jobs import Job
from veille.jobs import Jobs as JobRunner
from veille.settings import Settings as HubSettings
from veille.sources.manager import SourceManager
from veille.store.sql import SqlStore
from veille.topics import LiveTopics, Topic
from veille.topics import service as topic_service
from veille.web.authz import authorize
from veille.web.kiosk import kiosk_principal

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "CurrentHub",
    "CurrentJob",
    "CurrentPrincipal",
    "CurrentTopic",
    "Jobs",
    "Settings",
    "Sources",
    "Store",
    "Topics",
    "optional_principal",
    "require_authorized",
    "require_principal",
]

SESSION_COOKIE = "veille_session"
# Cookie-authenticated requests that change something must carry this header: a cross-site form or
# image cannot set it, so a logged-in browser cannot be made to post on someone else's behalf.
CSRF_HEADER = "x-requested-with"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


CurrentHub = Annotated[Hub, Depends(get_hub)]


# -- who is calling ------------------------------------------------------------------------------


async def optional_principal(request: Request, hub: CurrentHub) -> Principal | None:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Authorization: expected 'Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = await asyncio.to_thread(hub.access.principal_for_token, token.strip())
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "invalid API token", headers={"WWW-Authenticate": "Bearer"}
            )
        return principal
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        principal = await asyncio.to_thread(hub.access.principal_for_session, session_id)
        if principal is not None:
            if request.method not in _SAFE_METHODS and not request.headers.get(CSRF_HEADER):
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"cookie-authenticated {request.method} needs the header X-Requested-With",
                )
            return principal
    return None


async def require_principal(
    request: Request,
    hub: CurrentHub,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        # A kiosk link's browser (no login): only its wall's reads (veille.web.kiosk), else 403.
        principal = await kiosk_principal(request, hub)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "authentication required: log in, or send 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def require_authorized(request: Request, principal: CurrentPrincipal) -> Principal:
    """The caller, once the route's least role (:mod:`veille.web.authz`) is checked: the whole API's guard."""
    authorize(request, principal)
    return principal


# -- parts of the hub ----------------------------------------------------------------------------


def get_store(hub: CurrentHub) -> SqlStore:
    return hub.store


def get_settings(hub: CurrentHub) -> HubSettings:
    return hub.settings


def get_topics(hub: CurrentHub) -> LiveTopics:
    return hub.topics


def get_jobs(hub: CurrentHub) -> JobRunner:
    return hub.jobs


def get_sources(hub: CurrentHub) -> SourceManager:
    if hub.source_manager is None:
        raise Unavailable("this hub runs no platform sources")
    return hub.source_manager


Store = Annotated[SqlStore, Depends(get_store)]
Settings = Annotated[HubSettings, Depends(get_settings)]
Topics = Annotated[LiveTopics, Depends(get_topics)]
Jobs = Annotated[JobRunner, Depends(get_jobs)]
Sources = Annotated[SourceManager, Depends(get_sources)]


# -- loaders: the object a path names, or 404 ----------------------------------------------------


def topic_or_404(name: str, store: Store, principal: CurrentPrincipal) -> Topic:
    """The topic, or 404 when there is none or the caller may not see it (veille.sharing)."""
    return topic_service.get_topic(store=store, name=name, viewer=principal)


def job_or_404(job_id: str, jobs: Jobs) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r} (finished jobs are kept a while)", field="job_id")
    return job


CurrentTopic = Annotated[Topic, Depends(topic_or_404)]
CurrentJob = Annotated[Job, Depends(job_or_404)]

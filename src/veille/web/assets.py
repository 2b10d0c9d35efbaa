"""The static files' versioned address: ``/static/v/<version>/…`` serves the same files as
``/static/…`` with ``Cache-Control: public, max-age=31536000, immutable``, so that a page opened
again loads its modules, styles and vendored libraries (ECharts, Preact, the world map) from the
browser's cache without a request each — at 40-odd ES modules per dashboard, their revalidations
alone held the page (docs/performance.md). ``version`` changes whenever a file of ``static/``
changes (name, size or modification time), so a new release is never read from an old cache.
Templates write ``{{ static_prefix }}/…`` (a Jinja global); the import map sends ``veille/``,
``preact``, ``echarts`` and ``gridstack`` there, and relative imports stay under it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["STATIC_CONSTANTS", "STATIC_DIR", "CachedStaticFiles", "static_prefix", "static_version"]

STATIC_DIR = Path(__file__).parent / "static"
_IMMUTABLE = "public, max-age=31536000, immutable"


def static_version(directory: Path = STATIC_DIR) -> str:
    """A short digest of every file's relative name, size and modification time."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(directory)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


_VERSION = static_version()


def static_prefix() -> str:
    """Where templates address the static files: ``/static/v/<version>``."""
    return f"/static/v/{_VERSION}"


# The one template expression an inline script (the import map) may hold: fixed for the process's
# life, so the Content-Security-Policy hashes it rendered (veille.web.security_headers).
STATIC_CONSTANTS = {"{{ static_prefix }}": static_prefix()}


class CachedStaticFiles(StaticFiles):
    """The static files, kept by browsers for a year (their address changes with their content)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Any:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = _IMMUTABLE
        return response

    async def get_response(self, path: str, scope: Scope) -> Any:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = _IMMUTABLE
        return response

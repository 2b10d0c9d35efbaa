"""``veille export``: registered as its own group; the command lives in :mod:`veille.cli.analytics`."""

from veille.cli.analytics import export_app as app

__all__ = ["app"]

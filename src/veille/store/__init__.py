"""The store: posts, checkpoints and configuration, on SQLite (default) or PostgreSQL.

It owns every table (:mod:`.schema`, :mod:`.rollups`) and the write path that keeps the derived
ones in step with the posts (:mod:`.rollups`, :mod:`.addressees`), in the posts' own transaction.
"""

from veille.store.base import Page, PostSearch, Store, StoredPost
from veille.store.sql import open_store

__all__ = ["Page", "PostSearch", "Store", "StoredPost", "open_store"]

"""The store: posts, checkpoints and configuration, on SQLite (default) or PostgreSQL."""

from veille.store.base import Page, PostSearch, Store, StoredPost
from veille.store.sql import open_store

__all__ = ["Page", "PostSearch", "Store", "StoredPost", "open_store"]

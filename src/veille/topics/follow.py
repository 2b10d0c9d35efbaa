"""Topic changes made by another process reach this one (issue 15, item 4, for topics).

The topics table is the reference. :func:`refresh_if_changed` reads a cheap fingerprint of it
(how many topics, the latest ``updated_us``) and, when it differs from what the running monitor
was built from, rebuilds the monitor from the stored topics. A topic created, changed or deleted by
the CLI (``veille topics add``), by another ``veille serve`` or by a worker's host then applies to
the next batch here, without a restart; the hub calls it every few seconds
(:meth:`veille.hub.Hub.start`).
"""

from __future__ import annotations

from sqlalchemy import func, select

from veille.store.schema import topics
from veille.store.sql import SqlStore
from veille.topics import repository
from veille.topics.live import LiveTopics, monitor_for

__all__ = ["TopicsFingerprint", "refresh_if_changed", "stored_fingerprint"]

TopicsFingerprint = tuple[int, int]


def stored_fingerprint(store: SqlStore) -> TopicsFingerprint:
    """(number of topics, latest ``updated_us``): changes whenever a topic is added, edited or deleted."""
    with store.engine.connect() as connection:
        count, latest = connection.execute(select(func.count(), func.max(topics.c.updated_us))).one()
    return int(count), int(latest or 0)


def refresh_if_changed(
    store: SqlStore, live: LiveTopics, known: TopicsFingerprint | None
) -> TopicsFingerprint:
    """Rebuild ``live``'s monitor when the stored topics differ from ``known``; returns the
    fingerprint now in force (pass it back next time). ``known`` None: remember, change nothing."""
    # Under the live lock, read and rebuild together: a change made meanwhile through this process's
    # API (which changes the monitor in place, under the same lock) cannot be overwritten by an older
    # reading of the table.
    with live.lock:
        current = stored_fingerprint(store)
        if known is not None and current != known:
            live.replace(monitor_for(repository.list_topics(store)))
        return current

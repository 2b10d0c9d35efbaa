"""The exact-duplicate stage: drops a re-delivered item before any work is spent on it.

It follows :class:`veille.contracts.Stage` like the other enrichment stages.
"""

from __future__ import annotations

from collections import OrderedDict

from veille.model import ENRICHMENT_FIELDS, Post

__all__ = ["ExactDuplicateStage"]


class ExactDuplicateStage:
    """Drops posts already seen with the same id and content (a re-delivered item).

    A post seen again with changed content (new metrics, an edit) passes on so that the store's
    upsert updates it. Within one batch the last occurrence of an id wins. Memory is bounded:
    the ``capacity`` most recent ids are remembered.

    What passes is remembered only once the batch is stored: :meth:`committed` (called by
    :func:`veille.contracts.stages_committed` after the store's commit) records it. A batch that
    failed to write is forgotten, so sending the same posts again stores them (remembering before
    the commit answered "accepted" and stored nothing until a restart).
    """

    name = "exact_duplicates"

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._pending: dict[str, int] = {}
        self.dropped = 0

    def process(self, posts: list[Post]) -> list[Post]:
        last_by_id: dict[str, Post] = {}
        for post in posts:
            last_by_id.pop(post.id, None)
            last_by_id[post.id] = post
        self.dropped += len(posts) - len(last_by_id)
        kept: list[Post] = []
        self._pending = {}  # a batch processed but never committed is forgotten here
        for post_id, post in last_by_id.items():
            fingerprint = hash(post.model_dump_json(exclude=_ENRICHMENT_EXCLUDE))
            if self._seen.get(post_id) == fingerprint:
                self._seen.move_to_end(post_id)
                self.dropped += 1
                continue
            self._pending[post_id] = fingerprint
            kept.append(post)
        return kept

    def take_pending(self) -> dict[str, int]:
        """What the last processed batch would remember, handed over (a pipeline that processes the
        next batch before this one commits gives it back to :meth:`committed` after the commit)."""
        pending, self._pending = self._pending, {}
        return pending

    def committed(self, pending: dict[str, int] | None = None) -> None:
        """A processed batch is stored: remember its posts (``pending``: from :meth:`take_pending`;
        default: the last processed batch)."""
        if pending is None:
            pending, self._pending = self._pending, {}
        for post_id, fingerprint in pending.items():
            self._seen[post_id] = fingerprint
            self._seen.move_to_end(post_id)
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)


_ENRICHMENT_EXCLUDE = set(ENRICHMENT_FIELDS)

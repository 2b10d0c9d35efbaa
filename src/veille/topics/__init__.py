"""Topics as data: the saved queries of the taxonomy, their service, store, live monitor and backfill.

- :class:`Topic`, :class:`TopicSpec`, :class:`TopicChanges` — what a topic holds;
- :mod:`veille.topics.service` — create/update/delete/list/get/load, validated (plain functions);
- :class:`LiveTopics` — the hub's running monitor, changed in place when topics change;
- :func:`backfill_topic` — run a topic over stored history (the hub runs it as a job: :mod:`veille.jobs`);
- :func:`topics_from_document`, :func:`read_topics_file` — ``[[topics]]`` tables of veille.toml.
"""

from veille.topics.backfill import BackfillProgress, BackfillStopped, backfill_topic
from veille.topics.live import LiveTopics, LiveTopicStage, monitor_for
from veille.topics.models import KINDS, Topic, TopicChanges, TopicKind, TopicSpec
from veille.topics.service import (
    LoadResult,
    TopicConflict,
    TopicError,
    TopicNotFound,
    create_topic,
    delete_topic,
    get_topic,
    list_topics,
    load_topics,
    update_topic,
)
from veille.topics.taxonomy import (
    apply_configured_topics,
    load_live_topics,
    read_topics_file,
    topics_from_document,
)

__all__ = [
    "KINDS",
    "BackfillProgress",
    "BackfillStopped",
    "LiveTopicStage",
    "LiveTopics",
    "LoadResult",
    "Topic",
    "TopicChanges",
    "TopicConflict",
    "TopicError",
    "TopicKind",
    "TopicNotFound",
    "TopicSpec",
    "apply_configured_topics",
    "backfill_topic",
    "create_topic",
    "delete_topic",
    "get_topic",
    "list_topics",
    "load_live_topics",
    "load_topics",
    "monitor_for",
    "read_topics_file",
    "topics_from_document",
    "update_topic",
]

"""Sharing: who owns an object (a team) and who sees it (``private``, ``team``, ``organisation``).

One set of rules for topics, dashboards, walls, alert rules, sources and accounts, read by each
domain's service: :func:`may_see` filters lists and answers 404 for one object out of view,
:func:`check_edit` refuses (403, naming what is missing) an analyst changing what their teams do
not own, :func:`sharing_for_new` and :func:`sharing_for_change` check what a caller asks.
"""

from veille.sharing.models import KINDS, VISIBILITIES, Sharing, SharingFields, Visibility
from veille.sharing.policy import (
    check_edit,
    creator_of,
    may_edit,
    may_see,
    sharing_for_change,
    sharing_for_new,
    visible,
)
from veille.sharing.store import record_sharing, sharing_of_row, write_sharing

__all__ = [
    "KINDS",
    "VISIBILITIES",
    "Sharing",
    "SharingFields",
    "Visibility",
    "check_edit",
    "creator_of",
    "may_edit",
    "may_see",
    "record_sharing",
    "sharing_for_change",
    "sharing_for_new",
    "sharing_of_row",
    "visible",
    "write_sharing",
]

"""Alerts: rules over the live stream, incidents with a life (open → acknowledged → resolved or false
positive), notifications through Apprise, drills over files.

- :class:`RuleSpec`, :class:`Rule`, :class:`Alert` — what a rule and an alert hold (:mod:`.models`);
- :class:`AlertEngine` — rules over processed posts in event time, with grouping and cooldown (pure);
- :mod:`veille.alerts.service` — rules CRUD and the alerts' life (plain functions);
- :class:`LiveAlerts` — the engine on a hub's bus, storing alerts and queueing notifications;
- :func:`replay`, :func:`read_rules` — drills (``veille alerts replay``).
"""

from veille.alerts.engine import AlertEngine, Change, EngineRule
from veille.alerts.live import LiveAlerts
from veille.alerts.models import ALERT_STATUSES, KINDS, OUTCOMES, SEVERITIES, Alert, Rule, RuleSpec
from veille.alerts.replay import read_rules, replay

__all__ = [
    "ALERT_STATUSES",
    "KINDS",
    "OUTCOMES",
    "SEVERITIES",
    "Alert",
    "AlertEngine",
    "Change",
    "EngineRule",
    "LiveAlerts",
    "Rule",
    "RuleSpec",
    "read_rules",
    "replay",
]

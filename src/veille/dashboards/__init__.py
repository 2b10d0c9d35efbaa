"""Analysts' dashboards: shared filters and a grid of widgets, saved in the store.

- :class:`DashboardSpec`, :class:`Dashboard`, :class:`DashboardFilters`, :class:`WidgetSpec` — what a
  dashboard holds (:mod:`veille.dashboards.models`);
- :mod:`veille.dashboards.service` — create, replace, delete, list, get (topics checked against the store);
- the widgets themselves are front-end modules (``web/static/lib/widgets/``), reused by walls.
"""

from veille.dashboards.models import (
    RANGE_PRESETS,
    VISIBILITIES,
    WIDGET_TYPES,
    CustomRange,
    Dashboard,
    DashboardFilters,
    DashboardSpec,
    WidgetSpec,
)
from veille.dashboards.service import (
    DashboardError,
    DashboardNotFound,
    create_dashboard,
    delete_dashboard,
    get_dashboard,
    list_dashboards,
    update_dashboard,
)

__all__ = [
    "RANGE_PRESETS",
    "VISIBILITIES",
    "WIDGET_TYPES",
    "CustomRange",
    "Dashboard",
    "DashboardError",
    "DashboardFilters",
    "DashboardNotFound",
    "DashboardSpec",
    "WidgetSpec",
    "create_dashboard",
    "delete_dashboard",
    "get_dashboard",
    "list_dashboards",
    "update_dashboard",
]

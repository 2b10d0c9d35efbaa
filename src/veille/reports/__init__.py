"""Reports: dashboards printed as PDF (:mod:`veille.reports.pdf`) and scheduled reports sent through
Apprise every day or week (models, service, scheduler)."""

from veille.reports.models import Report, ReportDelivery, ReportRun, ReportSpec, next_run

__all__ = ["Report", "ReportDelivery", "ReportRun", "ReportSpec", "next_run"]

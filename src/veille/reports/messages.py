"""What a scheduled report's message says, in the report's language (French or English).

Texts sent to chat tools and e-mail, not UI strings: they live here, as the alerts' do.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = ["report_message"]

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Report: {name}",
        "daily": "daily",
        "weekly": "weekly",
        "printed": "The {schedule} report “{name}” (dashboard “{dashboard}”), printed {at} ({zone}).",
        "missed": "The hub was stopped at the scheduled time ({scheduled}): this is the run it missed.",
        "attached": "The PDF is attached where the service takes attachments.",
        "link": "PDF: {link}",
        "manual": "manual",
        "failed_title": "Report not printed: {name}",
        "failed": "The {schedule} report “{name}” (dashboard “{dashboard}”) could not be printed {at} ({zone}): {error}",
    },
    "fr": {
        "title": "Rapport : {name}",
        "daily": "quotidien",
        "weekly": "hebdomadaire",
        "printed": "Le rapport {schedule} « {name} » (tableau de bord « {dashboard} »), imprimé le {at} ({zone}).",
        "missed": "Le hub était arrêté à l’heure prévue ({scheduled}) : voici l’envoi manqué.",
        "attached": "Le PDF est joint quand le service accepte les pièces jointes.",
        "link": "PDF : {link}",
        "manual": "manuel",
        "failed_title": "Rapport non imprimé : {name}",
        "failed": "Le rapport {schedule} « {name} » (tableau de bord « {dashboard} ») n’a pas pu être imprimé le {at} ({zone}) : {error}",
    },
}


def _local(moment: datetime, zone: str, language: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%d/%m/%Y %H:%M") if language == "fr" else local.strftime("%Y-%m-%d %H:%M")


def report_message(
    *,
    name: str,
    dashboard: str,
    schedule: str,
    language: str,
    timezone: str,
    printed_at: datetime,
    scheduled_for: datetime | None,
    missed: bool,
    link: str | None,
    failure: str | None = None,
) -> tuple[str, str]:
    """``(title, body)`` of the message that carries the report (or says why it could not be printed)."""
    texts = _TEXTS.get(language, _TEXTS["en"])
    if failure is not None:
        body = texts["failed"].format(
            schedule=texts.get(schedule, schedule),
            name=name,
            dashboard=dashboard,
            at=_local(printed_at, timezone, language),
            zone=timezone,
            error=failure,
        )
        return texts["failed_title"].format(name=name), body
    lines = [
        texts["printed"].format(
            schedule=texts.get(schedule, schedule),
            name=name,
            dashboard=dashboard,
            at=_local(printed_at, timezone, language),
            zone=timezone,
        )
    ]
    if missed and scheduled_for is not None:
        lines.append(texts["missed"].format(scheduled=_local(scheduled_for, timezone, language)))
    lines.append(texts["attached"])
    if link:
        lines.append(texts["link"].format(link=link))
    return texts["title"].format(name=name), "\n".join(lines)

"""What an alert says, in the organisation's language (French or English): its one-line summary and
the notification that explains it (what, how far above the baseline, top posts and authors, a link
to the crisis room).

These are texts sent to chat tools and e-mail, not UI strings: they live here, beside the figures
they read, rather than in the pages' catalogues.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "notification", "summary", "summary_in"]

LANGUAGES = ("en", "fr")

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "volume_threshold": "{volume} posts in {window} on {scope} (threshold {threshold})",
        "volume_spike": "{volume} posts in {window} on {scope}: ×{ratio} the usual {baseline} ({source})",
        "negative_share": "{share} negative posts in {window} on {scope}, against {baseline_share} usually",
        "influencer": "@{author} ({who}) posted on {scope}",
        "emerging_term": "“{term}” is bursting on {scope}: {posts} posts in {window}, ×{lift} its usual share",
        "care_sla": "{scope}: median response {median} for an SLA of {sla}, {rate} of {due} posts answered",
        "followers": "{followers} followers",
        "title.opened": "[{severity}] Alert: {rule}",
        "title.escalated": "[{severity}] Alert escalated: {rule}",
        "title.reminder": "[{severity}] Still going on: {rule}",
        "top_posts": "Top posts:",
        "top_authors": "Most active authors:",
        "crisis_room": "Crisis room:",
        "since": "Since {opened_at}",
        "scope.all": "the accounts",
        "minutes": "{n} min",
        "hours": "{n} h",
        "seconds": "{n} s",
        "unknown": "unknown",
    },
    "fr": {
        "volume_threshold": "{volume} publications en {window} sur {scope} (seuil {threshold})",
        "volume_spike": "{volume} publications en {window} sur {scope} : ×{ratio} l’habituel {baseline} ({source})",
        "negative_share": "{share} de publications négatives en {window} sur {scope}, contre {baseline_share} d’habitude",
        "influencer": "@{author} ({who}) a publié sur {scope}",
        "emerging_term": "« {term} » émerge sur {scope} : {posts} publications en {window}, ×{lift} sa part habituelle",
        "care_sla": "{scope} : réponse médiane {median} pour un engagement de {sla}, {rate} des {due} messages traités",
        "followers": "{followers} abonnés",
        "title.opened": "[{severity}] Alerte : {rule}",
        "title.escalated": "[{severity}] Alerte aggravée : {rule}",
        "title.reminder": "[{severity}] Toujours en cours : {rule}",
        "top_posts": "Publications principales :",
        "top_authors": "Auteurs les plus actifs :",
        "crisis_room": "Salle de crise :",
        "since": "Depuis {opened_at}",
        "scope.all": "les comptes",
        "minutes": "{n} min",
        "hours": "{n} h",
        "seconds": "{n} s",
        "unknown": "inconnu",
    },
}
_SOURCES = {
    "fr": {
        "same hour, same weekday": "même heure, même jour de la semaine",
        "same hour of day": "même heure de la journée",
        "previous hours": "heures précédentes",
        "recent hours": "dernières heures",
        "the same hour yesterday": "même heure hier",
    }
}
_SEVERITIES = {"fr": {"info": "info", "warning": "attention", "critical": "critique"}}
_CATEGORIES = {"fr": {"journalist": "journaliste", "elected": "élu·e", "media": "média"}}


def _texts(language: str) -> dict[str, str]:
    return _TEXTS.get(language, _TEXTS["en"])


def _duration(seconds: float | None, language: str) -> str:
    texts = _texts(language)
    if seconds is None:
        return texts["unknown"]
    if seconds >= 3600 and seconds % 3600 == 0:
        return texts["hours"].format(n=int(seconds // 3600))
    if seconds >= 60:
        return texts["minutes"].format(n=round(seconds / 60))
    return texts["seconds"].format(n=int(seconds))


def _percent(value: Any, language: str) -> str:
    if value is None:
        return _texts(language)["unknown"]
    text = f"{float(value) * 100:.0f} %" if language == "fr" else f"{float(value) * 100:.0f}%"
    return text


def _number(value: Any, language: str) -> str:
    if value is None:
        return _texts(language)["unknown"]
    number = float(value)
    text = f"{number:,.0f}" if number >= 100 or number == int(number) else f"{number:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "fr" else text


def summary(
    *, kind: str, topic: str | None, query: str | None, figures: dict[str, Any], language: str
) -> str:
    """One line saying what the alert is about, with its figures."""
    texts = _texts(language)
    scope = f"“{topic}”" if topic else (f"“{query}”" if query else texts["scope.all"])
    window = _duration(figures.get("window_s"), language)
    values: dict[str, Any] = {"scope": scope, "window": window}
    if kind == "volume_threshold":
        values.update(
            volume=_number(figures.get("volume"), language),
            threshold=_number(figures.get("threshold"), language),
        )
    elif kind == "volume_spike":
        source = str(figures.get("baseline_source", ""))
        values.update(
            volume=_number(figures.get("volume"), language),
            ratio=_number(figures.get("ratio"), language),
            baseline=_number(figures.get("baseline"), language),
            source=_SOURCES.get(language, {}).get(source, source),
        )
    elif kind == "negative_share":
        values.update(
            share=_percent(figures.get("share"), language),
            baseline_share=_percent(figures.get("baseline_share"), language),
        )
    elif kind == "influencer":
        category = figures.get("category")
        who = (
            _CATEGORIES.get(language, {}).get(category, category)
            if category
            else texts["followers"].format(followers=_number(figures.get("followers"), language))
        )
        values.update(author=figures.get("author", "?"), who=who)
    elif kind == "emerging_term":
        terms = figures.get("terms") or [{}]
        top = terms[0]
        values.update(
            term=top.get("term", "?"), posts=top.get("posts", 0), lift=_number(top.get("lift"), language)
        )
    elif kind == "care_sla":
        values.update(
            median=_duration(figures.get("median_response_s"), language),
            sla=_duration(figures.get("sla_s"), language),
            rate=_percent(figures.get("response_rate"), language),
            due=figures.get("due", 0),
        )
    return texts[kind].format(**values)


def summary_in(*, kind: str, topic: str | None, figures: dict[str, Any], language: str) -> str | None:
    """The summary of a stored alert, worded again in a reader's language (the stored one is in
    the organisation's); None for a kind this module does not word."""
    if kind not in _texts(language):
        return None
    query = figures.get("query")
    return summary(
        kind=kind, topic=topic, query=str(query) if query else None, figures=figures, language=language
    )


def notification(
    *,
    reason: str,
    rule: str,
    severity: str,
    summary_line: str,
    opened_at: str,
    figures: dict[str, Any],
    link: str | None,
    language: str,
) -> tuple[str, str]:
    """``(title, body)`` of the message sent when an alert opens, escalates or is still going on."""
    texts = _texts(language)
    shown = _SEVERITIES.get(language, {}).get(severity, severity).upper()
    title = texts.get(f"title.{reason}", texts["title.opened"]).format(severity=shown, rule=rule)
    lines = [summary_line, texts["since"].format(opened_at=opened_at)]
    top_posts = figures.get("top_posts") or figures.get("influencer_posts") or []
    if top_posts:
        lines += ["", texts["top_posts"]]
        for card in top_posts[:3]:
            text = " ".join(str(card.get("text", "")).split())[:200]
            lines.append(f"- @{card.get('author')} ({_number(card.get('followers'), language)}): {text}")
    authors = figures.get("top_authors") or []
    if authors:
        lines += ["", texts["top_authors"]]
        lines.append(", ".join(f"@{item['author']} ({item['posts']})" for item in authors[:5]))
    if link:
        lines += ["", f"{texts['crisis_room']} {link}"]
    return title, "\n".join(lines)

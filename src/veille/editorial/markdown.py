"""A brief as Markdown (``GET /api/v1/editorial/briefs/{id}.md``), in the reader's language.

Post text is data: it is quoted as a block with Markdown's special characters escaped, so a
question holding ``# title`` or ``[link](…)`` prints as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from veille.editorial.models import Brief

__all__ = ["brief_markdown", "escape"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape(text: str) -> str:
    """``text`` with Markdown's special characters escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _share(entry: dict[str, Any]) -> str:
    return f"{100 * float(entry.get('share', 0)):.0f} %"


def _figure(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def brief_markdown(brief: Brief, gettext: Callable[[str], str] = lambda text: text) -> str:
    """The brief as a Markdown document (headings, lists and tables)."""
    _ = gettext
    lines = [f"# {escape(brief.title)}", ""]
    lines += [
        f"- **{_('Topic')}**: {escape(brief.topic)}",
        f"- **{_('Sub-topic')}**: {escape(brief.subtopic)}",
        f"- **{_('Key terms')}**: {', '.join(escape(term) for term in brief.terms)}",
        f"- **{_('Period')}**: {brief.range_from} → {brief.range_to}",
        f"- **{_('Status')}**: {escape(brief.status)}",
        f"- **{_('Questions')}**: {brief.demand.get('questions', 0)} "
        f"({_('growth')} × {_figure(brief.demand.get('growth'))})",
        "",
    ]
    if brief.notes:
        lines += [f"## {_('Notes')}", "", escape(brief.notes), ""]
    lines += [f"## {_('What people ask')}", ""]
    for question in brief.questions:
        where = " · ".join(str(part) for part in (question.get("country"), question.get("lang")) if part)
        lines.append(f"> {escape(question['text'])}  ")
        lines.append(f"> — {escape(where)}, {question.get('engagement', 0)} {_('interactions')}")
        lines.append("")
    if not brief.questions:
        lines += [_("No question matched the key terms in the period."), ""]
    lines += [f"## {_('Audiences')}", "", f"| {_('Country')} | {_('Questions')} | % |", "|---|---:|---:|"]
    lines += [f"| {escape(c['country'])} | {c['questions']} | {_share(c)} |" for c in brief.countries]
    lines += ["", f"| {_('Language')} | {_('Questions')} | % |", "|---|---:|---:|"]
    lines += [f"| {escape(c['language'])} | {c['questions']} | {_share(c)} |" for c in brief.languages]
    lines += ["", f"## {_('Who influences the conversation')}", ""]
    for person in brief.influencers:
        marker = f" ({_('asked on this sub-topic')})" if person.get("on_subtopic") else ""
        lines.append(
            f"- {escape(person['source'])}:@{escape(person['handle'])} — {_('score')} "
            f"{_figure(person.get('score'), 1)}, {escape(person.get('category') or '')}{marker}"
        )
    lines += ["", f"## {_('What performed best for this topic')}", ""]
    lines += [f"| {_('Format')} | {_('Posts')} | {_('Engagement rate')} | {_('Mean engagement')} |"]
    lines += ["|---|---:|---:|---:|"]
    lines += [
        f"| {escape(row['format'])} | {row['posts']} | {_figure(row['engagement_rate'], 4)} | "
        f"{_figure(row['engagement_mean'])} |"
        for row in brief.formats
    ]
    lines += [
        "",
        f"| {_('Hour')} ({escape(brief.tz)}) | {_('Posts')} | {_('Engagement rate')} | {_('Mean engagement')} |",
    ]
    lines += ["|---:|---:|---:|---:|"]
    lines += [
        f"| {row['hour']}:00 | {row['posts']} | {_figure(row['engagement_rate'], 4)} | {_figure(row['engagement_mean'])} |"
        for row in brief.hours
    ]
    if brief.links:
        lines += ["", f"## {_('Our content on it')}", ""]
        for link in brief.links:
            if link.get("missing"):
                lines.append(f"- {escape(link['post_id'])}: {_('no longer stored')}")
                continue
            day, week, asked = link["day"], link["week"], link["questions"]
            lines.append(
                f"- {escape(link.get('url') or link['post_id'])} ({escape(link['format'])}, {link['published_at']})"
            )
            lines.append(
                f"  - {_('after a day')}: {day['interactions']} ({_('usual')} {_figure(day['usual'])}, "
                f"× {_figure(day['ratio'])}); {_('after a week')}: {week['interactions']} "
                f"({_('usual')} {_figure(week['usual'])}, × {_figure(week['ratio'])})"
            )
            lines.append(
                f"  - {_('questions before / after')}: {_figure(asked.get('before'))} / {_figure(asked.get('after'))}"
                + (f" — {_('the questions slowed down')}" if asked.get("slowed") else "")
            )
    return "\n".join(lines).rstrip() + "\n"

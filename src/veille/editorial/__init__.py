"""The editorial radar and briefs: what people ask about a topic now, against what we publish.

- :func:`is_question` — question detection in the hub's languages (:mod:`.questions`);
- :func:`radar` — sub-topics of a topic's questions ranked by gap (:mod:`.radar`, :mod:`.subtopics`);
- briefs — a sub-topic turned into a content brief, and our content linked back (:mod:`.briefs`),
  exported as Markdown (:func:`brief_markdown`).
"""

from veille.editorial.briefs import (
    create_brief,
    delete_brief,
    get_brief,
    link_content,
    list_briefs,
    unlink_content,
    update_brief,
)
from veille.editorial.markdown import brief_markdown
from veille.editorial.models import Brief, BriefChanges, BriefLinkSpec, BriefNotFound, BriefSpec
from veille.editorial.questions import is_question, question_sentences
from veille.editorial.radar import radar

__all__ = [
    "Brief",
    "BriefChanges",
    "BriefLinkSpec",
    "BriefNotFound",
    "BriefSpec",
    "brief_markdown",
    "create_brief",
    "delete_brief",
    "get_brief",
    "is_question",
    "link_content",
    "list_briefs",
    "question_sentences",
    "radar",
    "unlink_content",
    "update_brief",
]

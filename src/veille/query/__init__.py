"""The Veille Query Language: parser, matcher with highlight spans, monitor of saved queries, linter.

The contract is ``shared/spec/query-language.md``; choices it leaves are in ``docs/query-language.md``.
"""

from veille.query.importer import ImportResult, import_query
from veille.query.lint import LintWarning, lint, lint_query
from veille.query.match import MatchResult, PostView, Span, compile_tester, match, view_post, view_text
from veille.query.monitor import Monitor, TopicStage, required_keys
from veille.query.rewrite import rewrite_near_for_new_convention
from veille.query.syntax import (
    Query,
    QueryCycleError,
    QueryError,
    QueryLimitError,
    QuerySyntaxError,
    QueryWarning,
    UnknownTopicError,
    parse_query,
    to_query,
)

__all__ = [
    "ImportResult",
    "LintWarning",
    "MatchResult",
    "Monitor",
    "PostView",
    "Query",
    "QueryCycleError",
    "QueryError",
    "QueryLimitError",
    "QuerySyntaxError",
    "QueryWarning",
    "Span",
    "TopicStage",
    "UnknownTopicError",
    "compile_tester",
    "import_query",
    "lint",
    "lint_query",
    "match",
    "parse_query",
    "required_keys",
    "rewrite_near_for_new_convention",
    "to_query",
    "view_post",
    "view_text",
]

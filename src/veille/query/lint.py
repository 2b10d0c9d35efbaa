"""Warnings about queries that parse but are probably not what the analyst meant (spec §5 and §9).

The parser's own warnings (forms other tools read differently: lower-case ``or``, words side by side,
two ``site:`` side by side) come with the parsed :class:`~veille.query.ast.Query`; :func:`lint_query`
adds those of the tree (short wildcards, wide NEAR, long OR lists, duplicates, redundant AND).
"""

from __future__ import annotations

from veille.query.ast import And, Field, Near, Node, Or, Query, QueryWarning, Tag, Words, iter_nodes
from veille.query.syntax import parse_query

__all__ = ["LintWarning", "lint", "lint_node", "lint_query"]

SHORT_WILDCARD = 3
WIDE_NEAR = 10
LONG_OR = 200


# One warning: the 1-based column of the part concerned, a stable code and a message.
LintWarning = QueryWarning


def _letters_before_star(pattern: str) -> int | None:
    star = pattern.find("*")
    if star < 0:
        return None
    return sum(1 for ch in pattern[:star] if ch.isalnum())


def _short_wildcards(node: Node) -> list[LintWarning]:
    if isinstance(node, Words):
        patterns = list(node.tokens)
    elif isinstance(node, Tag) or (isinstance(node, Field) and node.name == "author"):
        patterns = [node.value]
    else:
        return []
    found = []
    for pattern in patterns:
        before = _letters_before_star(pattern)
        if before is not None and before < SHORT_WILDCARD:
            found.append(
                LintWarning(
                    node.column,
                    "short-wildcard",
                    f"{pattern!r} has only {before} characters before '*': it can match very many words",
                )
            )
    return found


def _or_leaves(node: Or) -> int:
    count = 0
    for child in node.children:
        if isinstance(child, Words | Tag):
            count += 1
        elif isinstance(child, Or):
            count += _or_leaves(child)
    return count


def _redundant_and(node: And) -> list[LintWarning]:
    phrases = [child for child in node.children if isinstance(child, Words) and len(child.tokens) > 1]
    found = []
    for child in node.children:
        if not (isinstance(child, Words) and len(child.tokens) == 1):
            continue
        for phrase in phrases:
            if phrase.exact == child.exact and child.tokens[0] in phrase.tokens:
                found.append(
                    LintWarning(
                        child.column,
                        "redundant-and",
                        f"{child.tokens[0]!r} is always present when the phrase "
                        f'"{" ".join(phrase.tokens)}" matches: the AND adds nothing',
                    )
                )
                break
    return found


def lint_node(root: Node) -> list[LintWarning]:
    """Warnings for a parsed query, in column order."""
    warnings: list[LintWarning] = []
    seen: set[Node] = set()
    inside_or: set[int] = set()
    for node in iter_nodes(root):
        warnings.extend(_short_wildcards(node))
        if isinstance(node, Near) and node.distance > WIDE_NEAR:
            warnings.append(
                LintWarning(
                    node.column,
                    "wide-near",
                    f"NEAR/{node.distance} is wider than {WIDE_NEAR} tokens: it is close to a plain AND",
                )
            )
        if isinstance(node, Or) and id(node) not in inside_or:
            inside_or.update(id(child) for child in iter_nodes(node) if isinstance(child, Or))
            leaves = _or_leaves(node)
            if leaves > LONG_OR:
                warnings.append(
                    LintWarning(
                        node.column,
                        "long-or",
                        f"an OR of {leaves} terms: keep such a list as its own saved topic and "
                        "reference it with topic:NAME",
                    )
                )
        if isinstance(node, And):
            warnings.extend(_redundant_and(node))
        if isinstance(node, Words | Tag | Field):
            if node in seen:
                warnings.append(
                    LintWarning(node.column, "duplicate-term", "this term already appears in the query")
                )
            seen.add(node)
    return sorted(warnings, key=lambda warning: (warning.column, warning.code))


def lint_query(query: Query) -> list[LintWarning]:
    """Every warning about a parsed query: the parser's (§9) and the tree's (§5), in column order."""
    found = [*query.warnings, *lint_node(query.root)]
    return sorted(found, key=lambda warning: (warning.column, warning.code))


def lint(query_text: str) -> list[LintWarning]:
    """Warnings for ``query_text``; raises :class:`QuerySyntaxError` when it does not parse."""
    return lint_query(parse_query(query_text))

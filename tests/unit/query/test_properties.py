"""Property tests: printing then parsing gives the same AST; the monitor agrees with a plain evaluator."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.model import Author, Post, Sentiment
from veille.query import Monitor, compile_tester, match, parse_query, to_query, view_post
from veille.query.syntax import And, Emoji, Field, Followers, Near, Node, Not, Or, Tag, Words, is_positive
from veille.text import extract_hashtags, extract_mentions, extract_urls, fold, host_of, tokenize

VOCAB = ["orange", "livebox", "panne", "fibre", "données", "paiement", "mobile", "Orange", "été", "5g"]
PATTERNS = [
    "orange",
    "livebox",
    "panne",
    "fibre",
    "donnees",
    "paiement",
    "mobile",
    "5g",
    "pa*",
    "or?nge",
    "li*ox",
    "fi*",
    "mo*e",
]

words = st.builds(
    lambda tokens, exact: Words(tuple(tokens), exact),
    st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=2),
    st.just(False),
) | st.builds(lambda token: Words((token,), True), st.sampled_from(["Orange", "orange", "Été", "Fib*"]))
tags = st.builds(
    Tag, st.sampled_from(["hashtag", "mention"]), st.sampled_from(["orange", "livebox", "or*", "orange_fr"])
)
text_leaf = words | tags
fields = st.one_of(
    st.builds(Field, st.just("lang"), st.sampled_from(["fr", "en"])),
    st.builds(Field, st.just("country"), st.sampled_from(["FR", "SN"])),
    st.builds(Field, st.just("source"), st.sampled_from(["x", "bluesky"])),
    st.builds(Field, st.just("is"), st.sampled_from(["reply", "repost", "quote", "verified"])),
    st.builds(Field, st.just("sentiment"), st.sampled_from(["positive", "negative"])),
    st.builds(Field, st.just("site"), st.sampled_from(["orange.fr", "fr", "lemonde.fr"])),
    st.builds(Field, st.just("url"), st.sampled_from(["/livebox", "or", "a b"])),
    st.builds(Field, st.just("author"), st.sampled_from(["bob", "orange*", "*fr", "al*ce"])),
    st.builds(
        Followers, st.one_of(st.none(), st.integers(0, 50)), st.one_of(st.none(), st.integers(50, 99))
    ).filter(lambda node: node.low is not None or node.high is not None),
)
near_leaf_operand = text_leaf | st.builds(
    lambda items: Or(tuple(items)), st.lists(text_leaf, min_size=2, max_size=3)
)
# A NEAR operand may itself be a NEAR (in parentheses), as in ((plan NEAR/0f unico) NEAR/0f universal).
near_operand = near_leaf_operand | st.builds(
    Near, near_leaf_operand, near_leaf_operand, st.integers(0, 3), st.booleans()
)
near = st.builds(Near, near_operand, near_operand, st.integers(0, 4), st.booleans())


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(lambda items: And(tuple(items)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda items: Or(tuple(items)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
    )


nodes = st.recursive(text_leaf | fields | near, _extend, max_leaves=6)
queries = nodes.filter(is_positive)


@given(queries)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_print_then_parse_gives_the_same_ast(root: Node) -> None:
    assert parse_query(to_query(root)).root == root


# ------------------------------------------------------------------- a plain reference evaluator


def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def reference(node: Node, post: Post) -> bool:
    """Evaluate the AST by brute force over the post, written independently of veille.query.match."""
    tokens = tokenize(post.text)
    folded = [t.folded for t in tokens]
    raw = [unicodedata.normalize("NFC", t.raw) for t in tokens]

    def near_ranges(n: Near) -> list[tuple[int, int]]:
        """Pairs of matches with at most n tokens between (NEAR/0: adjacent), as (first, last) hulls."""
        found = []
        for a in ranges(n.left):
            for b in ranges(n.right):
                if a[0] < 0 or b[0] < 0:
                    continue
                if a[1] < b[0] and b[0] - a[1] - 1 <= n.distance:
                    found.append((a[0], b[1]))
                if not n.ordered and b[1] < a[0] and a[0] - b[1] - 1 <= n.distance:
                    found.append((b[0], a[1]))
        return found

    def ranges(leaf: Node) -> list[tuple[int, int]]:
        if isinstance(leaf, Or):
            return [r for child in leaf.children for r in ranges(child)]
        if isinstance(leaf, Near):
            return near_ranges(leaf)
        if isinstance(leaf, Tag):
            found = extract_hashtags(post.text) if leaf.kind == "hashtag" else extract_mentions(post.text)
            out = []
            for value, (start, end) in found:
                if _pattern(leaf.value).fullmatch(value):
                    inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
                    out.append((min(inside), max(inside)) if inside else (-1, -1))
            return out
        assert isinstance(leaf, Words)
        seq = raw if leaf.exact else folded
        n = len(leaf.tokens)
        return [
            (i, i + n - 1)
            for i in range(len(seq) - n + 1)
            if all(_pattern(p).fullmatch(seq[i + k]) for k, p in enumerate(leaf.tokens))
        ]

    def ev(n: Node) -> bool:
        if isinstance(n, Words | Tag):
            return bool(ranges(n))
        if isinstance(n, And):
            return all(ev(c) for c in n.children)
        if isinstance(n, Or):
            return any(ev(c) for c in n.children)
        if isinstance(n, Not):
            return not ev(n.child)
        if isinstance(n, Near):
            return bool(near_ranges(n))
        if isinstance(n, Followers):
            f = post.author.followers
            return f is not None and (n.low is None or f >= n.low) and (n.high is None or f <= n.high)
        urls = [u for u in [post.url, *post.links, *extract_urls(post.text)] if u]
        if n.name == "lang":
            return post.lang == n.value
        if n.name == "country":
            return post.country == n.value
        if n.name == "source":
            return post.source == n.value
        if n.name == "sentiment":
            return post.sentiment is not None and post.sentiment.label == n.value
        if n.name == "is":
            return {
                "reply": post.reply_to is not None,
                "repost": post.repost_of is not None,
                "quote": post.quote_of is not None,
                "verified": post.author.verified,
            }[n.value]
        if n.name == "site":
            hosts = [host_of(u) for u in urls]
            return any(h and (h == n.value or h.endswith("." + n.value)) for h in hosts)
        if n.name == "url":
            return any(n.value in u.lower() for u in urls)
        if n.name == "author":
            return bool(
                re.fullmatch(".*".join(map(re.escape, n.value.split("*"))), fold(post.author.handle), re.S)
            )
        raise AssertionError(n)

    return ev(node)


text_words = st.sampled_from(
    [
        *VOCAB,
        "#Orange",
        "#LiveBox",
        "@orange_fr",
        "@Orange",
        "l'orange",
        "mobile-paiement",
        "x",
        "et",
        "pas",
        "https://www.orange.fr/livebox",
        "www.lemonde.fr/a",
        "PANNE",
        "Donne\u0301es",
        "fibré",
        "orangé",
    ]
)
posts = st.builds(
    lambda text, lang, country, source, followers, flags, sentiment, handle, links: Post(
        id="t:1",
        source=source,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        text=" ".join(text),
        lang=lang,
        country=country,
        author=Author(handle=handle, followers=followers, verified=flags[3]),
        reply_to="t:0" if flags[0] else None,
        repost_of="t:0" if flags[1] else None,
        quote_of="t:0" if flags[2] else None,
        sentiment=Sentiment(label=sentiment, score=0.0) if sentiment else None,
        links=links,
    ),
    st.lists(text_words, min_size=1, max_size=12),
    st.sampled_from([None, "fr", "en"]),
    st.sampled_from([None, "FR", "SN"]),
    st.sampled_from(["x", "bluesky"]),
    st.one_of(st.none(), st.integers(0, 120)),
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    st.sampled_from([None, "positive", "negative"]),
    st.sampled_from(["bob", "Orange_FR", "alice", "Jérôme"]),
    st.lists(st.sampled_from(["https://orange.fr/offres", "http://news.lemonde.fr/x"]), max_size=1),
)


@given(st.lists(queries, min_size=1, max_size=8), st.lists(posts, min_size=1, max_size=4))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_monitor_agrees_with_a_plain_evaluator(roots: list[Node], sample: list[Post]) -> None:
    monitor = Monitor()
    for index, root in enumerate(roots):
        monitor.add(f"q{index}", to_query(root))
    for post in sample:
        expected = [f"q{i}" for i, root in enumerate(roots) if reference(root, post)]
        found = monitor.match_post(post)
        assert [name for name, _ in found] == expected
        # The compiled spans are those of the tree-walking matcher.
        for name, spans in found:
            result = match(roots[int(name[1:])], post)
            assert result is not None and list(result.spans) == spans
        assert monitor.match_view_exhaustive(view_post(post)) == found


small_words = st.sampled_from(["orange", "panne", "fibre", "x", "#fibre", "l'orange", "panne-fibre"])
small_leaf = st.sampled_from(
    ["orange", "panne", "fibre", "pa*", '"orange panne"', "#fibre", "(orange OR fibre)"]
)


@given(
    st.lists(st.tuples(small_leaf, st.integers(0, 3), st.booleans(), small_leaf), min_size=1, max_size=6),
    st.lists(st.lists(small_words, min_size=1, max_size=8), min_size=1, max_size=4),
)
@settings(max_examples=200, deadline=None)
def test_near_agrees_with_a_plain_evaluator(
    shapes: list[tuple[str, int, bool, str]], texts: list[list[str]]
) -> None:
    monitor = Monitor()
    roots = []
    for index, (left, distance, ordered, right) in enumerate(shapes):
        query = parse_query(f"{left} NEAR/{distance}{'f' if ordered else ''} {right}")
        roots.append(query.root)
        monitor.add(f"q{index}", query)
    for words_of_post in texts:
        post = Post(
            id="t:1",
            source="x",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            text=" ".join(words_of_post),
            author=Author(handle="a"),
        )
        expected = [f"q{i}" for i, root in enumerate(roots) if reference(root, post)]
        assert [name for name, _ in monitor.match_post(post)] == expected


# ------------------------------------------- the leaves added for other tools' queries (spec §9)

new_leaves = st.one_of(
    st.builds(Emoji, st.sampled_from(["😃", "👍", "👍🏽", "❤"])),
    st.builds(Tag, st.just("cashtag"), st.sampled_from(["tsla", "brk.b"])),
    st.builds(Words, st.sampled_from([("nova",), ("orange",), ("tsla",)])),
    st.builds(Field, st.just("has"), st.sampled_from(["links", "hashtags", "mentions", "cashtags", "geo"])),
    st.builds(Field, st.just("title"), st.sampled_from(["orange", "nova", "orange nova", "or*"])),
    st.builds(Field, st.just("name"), st.sampled_from(["alice", "alice martin", "mar*"])),
)
new_queries = st.recursive(new_leaves, _extend, max_leaves=5).filter(is_positive)
new_words = st.sampled_from(
    ["orange", "nova", "nоva", "$TSLA", "$BRK.B", "$100", "#x", "@y", "😃", "👍🏽", "❤️", "https://a.fr", "x"]
)
_TONES_RE = re.compile("[\U0001f3fb-\U0001f3ff]")


def new_reference(node: Node, post: Post, title: str | None) -> bool:
    """The new leaves by brute force, independently of veille.query.view and leaves."""
    from veille.query.confusables import skeleton

    words = [fold(skeleton(token.raw)) for token in tokenize(post.text)]
    title_words = [fold(skeleton(token.raw)) for token in tokenize(title)] if title else []
    name_words = [fold(token.raw) for token in tokenize(post.author.name or "")]
    emoji = [
        e.replace("\ufe0f", "") for e in re.findall(r"(?:[😃👍❤][\ufe0f\U0001f3fb-\U0001f3ff]*)", post.text)
    ]
    cashtags = [
        c.lower() for c in re.findall(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w])", post.text)
    ]

    def sequence(value: str, tokens: list[str]) -> bool:
        patterns = value.split(" ")
        return any(
            all(_pattern(p).fullmatch(tokens[i + k]) for k, p in enumerate(patterns))
            for i in range(len(tokens) - len(patterns) + 1)
        )

    def ev(n: Node) -> bool:
        if isinstance(n, And):
            return all(ev(c) for c in n.children)
        if isinstance(n, Or):
            return any(ev(c) for c in n.children)
        if isinstance(n, Not):
            return not ev(n.child)
        if isinstance(n, Emoji):
            return any(e == n.value or _TONES_RE.sub("", e) == n.value for e in emoji)
        if isinstance(n, Tag):
            return n.value in cashtags
        if isinstance(n, Words):
            return n.tokens[0] in words
        assert isinstance(n, Field)
        if n.name == "title":
            return sequence(n.value, title_words)
        if n.name == "name":
            return sequence(n.value, name_words)
        return {
            "links": bool(extract_urls(post.text)) or bool(post.links),
            "hashtags": bool(extract_hashtags(post.text)),
            "mentions": bool(extract_mentions(post.text)),
            "cashtags": bool(cashtags),
            "geo": post.country is not None,
        }[n.value]

    return ev(node)


@given(
    st.lists(new_queries, min_size=1, max_size=6),
    st.lists(new_words, min_size=1, max_size=8),
    st.sampled_from([None, "Orange Nova", "nоva Orange x"]),
    st.sampled_from([None, "Alice Martin", "Bob"]),
    st.booleans(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_new_leaves_agree_in_every_evaluator(
    roots: list[Node], text: list[str], title: str | None, name: str | None, located: bool
) -> None:
    post = Post(
        id="t:1",
        source="x",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        text=" ".join(text),
        author=Author(handle="a", name=name),
        country="FR" if located else None,
        extra={"title": title} if title else {},
    )
    monitor = Monitor()
    for index, root in enumerate(roots):
        monitor.add(f"q{index}", to_query(root))
    expected = [f"q{i}" for i, root in enumerate(roots) if new_reference(root, post, title)]
    found = monitor.match_post(post)
    assert [name for name, _ in found] == expected
    view = view_post(post)
    for index, root in enumerate(roots):
        assert compile_tester(root)(view) is (f"q{index}" in expected)
        result = match(root, view)
        assert (result is not None) is (f"q{index}" in expected)
    for found_name, spans in found:
        result = match(roots[int(found_name[1:])], post)
        assert result is not None and list(result.spans) == spans

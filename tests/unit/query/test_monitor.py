"""The monitor: incremental updates, topic references, the required-key index and the stage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veille.contracts import Stage
from veille.model import Author, Post
from veille.query import (
    Monitor,
    QueryCycleError,
    QueryError,
    QueryLimitError,
    QuerySyntaxError,
    TopicStage,
    UnknownTopicError,
    parse_query,
    required_keys,
    view_text,
)


def names(monitor: Monitor, text: str, **fields: object) -> list[str]:
    view = view_text(text, **fields)  # type: ignore[arg-type]
    found = [name for name, _ in monitor.match_post(view)]
    assert found == [name for name, _ in monitor.match_view_exhaustive(view)]
    return found


def test_add_update_remove_incrementally() -> None:
    monitor = Monitor()
    monitor.add("livebox", "livebox")
    monitor.add("panne", "panne NOT fibre")
    assert names(monitor, "ma livebox en panne") == ["livebox", "panne"]
    monitor.update("livebox", "{Livebox}")
    assert names(monitor, "ma livebox en panne") == ["panne"]
    assert names(monitor, "ma Livebox en panne") == ["livebox", "panne"]
    monitor.remove("panne")
    assert names(monitor, "ma Livebox en panne") == ["livebox"]
    assert len(monitor) == 1 and "panne" not in monitor
    with pytest.raises(QueryError, match="already exists"):
        monitor.add("livebox", "x")
    with pytest.raises(UnknownTopicError):
        monitor.update("nope", "x")
    with pytest.raises(UnknownTopicError):
        monitor.remove("nope")
    with pytest.raises(QuerySyntaxError):
        monitor.update("livebox", "livebox AND")
    assert names(monitor, "Livebox") == ["livebox"]  # a refused update changes nothing


def test_topic_references_cycles_and_depth() -> None:
    monitor = Monitor()
    monitor.add("fibre", "fibre OR adsl")
    monitor.add("incident", "topic:fibre AND (panne OR coupure)")
    assert names(monitor, "coupure adsl") == ["fibre", "incident"]
    # changing a referenced topic changes what its users match, without touching them
    monitor.update("fibre", "fibre OR vdsl")
    assert names(monitor, "coupure adsl") == []
    assert names(monitor, "coupure vdsl") == ["fibre", "incident"]
    with pytest.raises(UnknownTopicError, match="missing"):
        monitor.add("x", "topic:missing")
    with pytest.raises(QueryCycleError) as caught:
        monitor.update("fibre", "fibre OR topic:incident")
    assert caught.value.cycle == ["fibre", "incident", "fibre"]
    assert "fibre -> incident -> fibre" in str(caught.value)
    with pytest.raises(QueryCycleError):
        monitor.add("self", "a OR topic:self")
    with pytest.raises(QueryError, match="referenced by: incident"):
        monitor.remove("fibre")
    chain = Monitor()
    chain.add("t0", "base")
    for level in range(1, 6):
        chain.add(f"t{level}", f"topic:t{level - 1}")
    with pytest.raises(QueryLimitError, match="6 levels"):
        chain.add("t6", "topic:t5")
    chain.add("side", "side")
    with pytest.raises(QueryLimitError, match="'t5'"):
        chain.update("t0", "topic:side")  # t5 would be 6 levels deep
    assert names(chain, "base") == ["t0", "t1", "t2", "t3", "t4", "t5"]


def test_add_many_in_any_order_and_cycles() -> None:
    monitor = Monitor()
    monitor.add_many({"b": "topic:a lang:fr", "a": "orange"})
    assert names(monitor, "Orange", lang="fr") == ["a", "b"]
    with pytest.raises(QueryCycleError):
        Monitor().add_many({"x": "topic:y", "y": "topic:x"})


def test_required_keys() -> None:
    def keys(text: str) -> set[tuple[str, str]] | None:
        found = required_keys(parse_query(text).root)
        return None if found is None else set(found[0])

    assert keys("livebox") == {("t", "livebox")}
    assert keys("paiement*") == {("tp", "paiement")}
    assert keys('"de la fibre"') == {("t", "fibre")}
    assert keys("livebox AND lang:fr") == {("t", "livebox")}
    assert keys("la OR livebox") == {("t", "la"), ("t", "livebox")}
    assert keys("#Livebox OR @orange_fr") == {("h", "livebox"), ("m", "orange_fr")}
    assert keys("followers:>10 AND site:lemonde.fr") == {("site", "lemonde.fr")}
    assert keys("url:/livebox") == {("url5", "liveb")}  # a middle piece of "/livebox"
    assert keys("followers:>10") is None
    assert keys("a OR followers:>10") is None
    assert keys("{Orange}") == {("t", "orange")}


def test_queries_without_keys_are_always_checked() -> None:
    monitor = Monitor()
    monitor.add("big", "followers:>=100")
    monitor.add("odd", "?range")
    assert monitor.stats().always_checked == 2
    assert names(monitor, "orange", followers=150) == ["big", "odd"]
    assert names(monitor, "x", followers=1) == []


def test_spans_and_stage() -> None:
    monitor = Monitor()
    monitor.add("fibre", "(fibre OR adsl) NEAR/2 (panne OR coupure)")
    monitor.add("brand", "{Orange} OR @orange_fr")
    stage = TopicStage(monitor)
    assert isinstance(stage, Stage) and stage.name == "topics"
    post = Post(
        id="x:1",
        source="x",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        text="Coupure ADSL chez Orange",
        author=Author(handle="a"),
    )
    [processed] = stage.process([post])
    assert [(topic.name, topic.spans) for topic in processed.topics] == [
        ("fibre", [(0, 7), (8, 12)]),
        ("brand", [(18, 24)]),
    ]


def test_term_statistics_choose_the_rarest_measured_key() -> None:
    from veille.query.keys import TermStatistics, heuristic_frequency

    history = [view_text("le service client de kalo")] + [
        view_text(f"service client numéro {index} #aide @support") for index in range(300)
    ]
    statistics = TermStatistics.from_views(history)
    assert statistics.posts == 301
    assert statistics.frequency(("t", "service")) == (301 + 0.5) / 302
    assert statistics.frequency(("t", "kalo")) == 1.5 / 302
    assert statistics.frequency(("t", "jamais")) == 0.5 / 302  # unseen: half a post
    assert statistics.frequency(("tp", "servi")) == (301 + 0.5) / 302
    assert statistics.frequency(("tp", "num")) == (300 + 0.5) / 302
    assert statistics.frequency(("h", "aide")) == 300.5 / 302
    assert statistics.frequency(("url5", "abcde")) == heuristic_frequency(("url5", "abcde"))
    query = parse_query('"service client" AND kalo').root
    # By length alone "service" looks rarer than "kalo"; measured, it is the other way round.
    assert required_keys(query)[0] == {("t", "service")}  # type: ignore[index]
    assert required_keys(query, None, statistics)[0] == {("t", "kalo")}  # type: ignore[index]
    # Too few posts: the heuristic answers.
    assert TermStatistics.from_views(history[:10]).frequency(("t", "kalo")) == heuristic_frequency(
        ("t", "kalo")
    )

    monitor = Monitor()
    monitor.add("a", '"service client" AND kalo')
    monitor.add("b", "service* OR #aide")
    post = "kalo: service client"
    assert names(monitor, post) == ["a", "b"]
    assert set(monitor._index["t"]) == {"service"}
    monitor.tune(statistics)
    assert set(monitor._index["t"]) == {"kalo"}
    assert names(monitor, post) == ["a", "b"]
    assert names(monitor, "service client") == ["b"]


def test_compiled_queries_give_the_spans_of_what_matched() -> None:
    text = "panne de fibre chez Orange, pas de paiement #Fibre"
    # tokens: panne 0-5, de 6-8, fibre 9-14, chez, orange 20-26, pas, de, paiement 35-43, fibre 45-50
    cases = {
        "(panne AND (adsl OR modem)) OR fibre": [(9, 14), (45, 50)],  # the failed AND adds nothing
        "(panne AND (adsl OR fibre)) OR modem": [(0, 5), (9, 14), (45, 50)],
        "pai* AND NOT pa": [(35, 43)],
        "fib* AND fi*re": [(9, 14), (45, 50)],
        "pann* NOT (chez AND modem)": [(0, 5)],
        "{Orange} OR orange*": [(20, 26)],
        "#fibre AND panne NEAR/1 fibre": [(0, 5), (9, 14), (44, 50)],
        "fi* NOT fi*e": None,
        "p? OR pan OR paiements": None,
        "{orange}": None,
        "pax* AND orange": None,
        "adsl OR modem OR box OR wifi OR fibre": [(9, 14), (45, 50)],  # wide ORs: one set operation
        "adsl OR modem OR box OR wifi OR cable": None,
        "(adsl OR modem OR box OR wifi OR pas OR #adsl) AND paie*": [(28, 31), (35, 43)],
        '(adsl OR modem OR box OR wifi OR "de fibre") NOT chez': None,
    }
    monitor = Monitor()
    for index, query in enumerate(cases):
        monitor.add(f"q{index}", query)
    found = dict(monitor.match_post(view_text(text)))
    expected = {f"q{index}": spans for index, spans in enumerate(cases.values()) if spans is not None}
    assert found == expected
    assert dict(monitor.match_view_exhaustive(view_text(text))) == expected


def test_topic_references_are_evaluated_once_per_post_and_give_their_spans() -> None:
    monitor = Monitor()
    monitor.add("fibre", "fibre OR adsl")
    monitor.add("incident", "topic:fibre AND (panne OR coupure)")
    monitor.add("fr", "topic:incident AND lang:fr")
    monitor.add("not-fibre", "panne NOT topic:fibre")
    found = monitor.match_post(view_text("panne adsl", lang="fr"))
    assert found == [("fibre", [(6, 10)]), ("incident", [(0, 5), (6, 10)]), ("fr", [(0, 5), (6, 10)])]
    assert monitor.match_post(view_text("panne")) == [("not-fibre", [(0, 5)])]


def test_topic_stage_learns_key_frequencies_and_tunes_its_monitor() -> None:
    from veille.query.keys import TermStatistics

    def post(index: int, text: str) -> Post:
        return Post(
            id=f"x:{index}",
            source="x",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            text=text,
            author=Author(handle="a"),
        )

    monitor = Monitor()
    monitor.add("kalo", '"service client" AND kalo')
    monitor.add("any", "service OR client")
    assert set(monitor._index["t"]) == {"service", "client"}  # by length, "service" looks rare
    stage = TopicStage(monitor, statistics=TermStatistics(minimum_posts=1), learn_every=2, tune_at=(3, 5))
    posts = [post(index, "le service client répond") for index in range(5)] + [post(5, "service client kalo")]
    stage.process(posts)
    assert [[topic.name for topic in item.topics] for item in posts] == [["any"]] * 5 + [["kalo", "any"]]
    assert stage.statistics.posts == 3  # one post in two
    assert monitor.frequency is stage.statistics
    assert set(monitor._index["t"]) == {"kalo", "service", "client"}  # "kalo" is now the rare one
    # Counting stops at the last milestone; a replaced monitor gets what was learned.
    stage.process([post(index, "service") for index in range(6, 12)])
    assert stage.statistics.posts == 5
    stage.monitor = Monitor()
    stage.monitor.add("kalo", '"service client" AND kalo')
    stage.process([post(12, "kalo")])
    assert stage.monitor.frequency is stage.statistics and set(stage.monitor._index["t"]) == {"kalo"}

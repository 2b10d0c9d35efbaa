"""``veille alerts replay FILE.jsonl --rules RULES.json``: a drill over a file of posts."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.
import json
from pathlib import Path
from typing import Annotated

import typer

from veille.cli._options import DataOption, err, fail
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["app"]

app = typer.Typer(help="Alert rules: drills over files of posts.", no_args_is_help=True)


@app.command()
def replay(
    file: Annotated[
        Path, typer.Argument(help="Posts, one JSON object per line (an export, a simulator file).")
    ],
    rules: Annotated[
        Path, typer.Option("--rules", help="A JSON array of alert rules (the API's rule bodies).")
    ],
    topics: Annotated[
        Path | None,
        typer.Option("--topics", help="A TOML file of [[topics]] to match posts that carry no topics."),
    ] = None,
    data: DataOption = DEFAULT_DATA_DIR,
    updates: Annotated[
        bool, typer.Option("--updates", help="Also print every refresh of an alert's figures.")
    ] = False,
) -> None:
    """Evaluate RULES over FILE in event time and print each alert that would have fired, one JSON
    line {"rule", "opened_at", "severity", "posts"}, then its escalations, reminders and end.

    Posts without a sentiment go through the language and sentiment stages; posts without topics are
    matched against --topics, else the topics of the data folder's store when it has one. The data
    folder's curated influencers and brand accounts are used when it has a store.
    """
    from veille.alerts.replay import read_rules, replay
    from veille.errors import Invalid

    try:
        specs = read_rules(rules)
    except Invalid as error:
        raise fail(str(error)) from None
    if not file.is_file():
        raise fail(f"{file}: no such file")
    posts, skipped = _read_posts(file)
    stages, curated, accounts = _context(topics, data, needs_topics=any(spec.topic for spec in specs))
    if stages:
        from veille.contracts import run_stages

        posts = [
            post
            for start in range(0, len(posts), 2000)
            for post in run_stages(stages, posts[start : start + 2000])
        ]
    for change in replay(posts, specs, curated=curated, accounts=accounts, updates=updates):
        typer.echo(json.dumps(change.to_json_dict(), ensure_ascii=False))
    if skipped:
        err.print(f"{skipped} lines skipped (not valid posts; see above)")


def _read_posts(file: Path) -> tuple[list, int]:
    from veille.model import parse_post

    posts = []
    skipped = 0
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                posts.append(parse_post(json.loads(line)))
            except (ValueError, TypeError) as error:
                skipped += 1
                err.print(
                    f"{file}:{number}: skipped: {str(error).splitlines()[0][:200]}",
                    markup=False,
                    highlight=False,
                )
    return posts, skipped


def _context(topics: Path | None, data: Path, *, needs_topics: bool):
    """The stages the posts need (sentiment, topics) and the store's curated lists, if any."""
    from veille.enrich.chain import build_enrichment_stages
    from veille.topics import monitor_for, read_topics_file
    from veille.topics.live import LiveTopics

    stages: list = []
    stages.append(_SentimentWhenMissing(build_enrichment_stages(data_dir=None)))
    curated: dict[tuple[str, str], str] = {}
    accounts: set[tuple[str, str]] = set()
    topic_specs = None
    if topics is not None:
        try:
            topic_specs = read_topics_file(topics)
        except ValueError as error:
            raise fail(str(error)) from None
    store_file = data / "veille.sqlite3"
    if store_file.is_file():
        from veille.accounts.repository import list_accounts
        from veille.cli._options import opened_store
        from veille.influencers.repository import list_influencers
        from veille.text import handle_key
        from veille.topics.repository import list_topics

        with opened_store(data) as store:
            curated = {
                (item.platform, handle_key(item.handle)): item.category for item in list_influencers(store)
            }
            accounts = {
                (item.platform, handle_key(item.handle)) for item in list_accounts(store) if item.ours
            }
            if topic_specs is None and needs_topics:
                topic_specs = list(list_topics(store))
    if topic_specs is not None:
        stages.append(_TopicsWhenMissing(LiveTopics(monitor_for(topic_specs)).stage()))
    return stages, curated, accounts


class _SentimentWhenMissing:
    """The enrichment chain, for the posts that come without a sentiment (others pass as they are)."""

    name = "enrich-when-missing"

    def __init__(self, stages: list) -> None:
        self.stages = stages

    def process(self, posts: list) -> list:
        from veille.contracts import run_stages

        bare = [post for post in posts if post.sentiment is None]
        if bare:
            enriched = {post.id: post for post in run_stages(self.stages, bare)}
            return [enriched.get(post.id, post) if post.sentiment is None else post for post in posts]
        return posts


class _TopicsWhenMissing:
    name = "topics-when-missing"

    def __init__(self, stage) -> None:
        self.stage = stage

    def process(self, posts: list) -> list:
        bare = [post for post in posts if not post.topics]
        if not bare:
            return posts
        matched = {post.id: post for post in self.stage.process(bare)}
        return [matched.get(post.id, post) if not post.topics else post for post in posts]

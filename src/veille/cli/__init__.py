"""The ``veille`` command line (typer). Each domain keeps its commands in a module of this package.

Sub-command groups are listed in ``_SUBCOMMAND_GROUPS`` as ``(name, module, attribute)``; plain
commands (``demo``, ``serve``, ``ingest``…) in ``_COMMAND_MODULES``, each module exposing a
``typer.Typer`` called ``app`` whose commands join the root. Options and helpers every command
shares are in :mod:`veille.cli._options`. Modules are imported when the app is built, and heavy
imports wait inside the command bodies, so ``veille --help`` stays fast.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["build_app", "main"]

# (group name, module, attribute holding the group's typer.Typer)
_SUBCOMMAND_GROUPS: list[tuple[str, str, str]] = [
    ("user", "veille.cli.users", "user_app"),
    ("token", "veille.cli.users", "token_app"),
    ("team", "veille.cli.teams", "app"),
    ("query", "veille.cli.query", "app"),
    ("topics", "veille.cli.topics", "app"),
    ("simulate", "veille.cli.simulate", "app"),
    ("accounts", "veille.cli.accounts", "app"),
    ("influencers", "veille.cli.influencers", "app"),
    ("report", "veille.cli.report", "app"),
    ("train", "veille.cli.train", "app"),
    ("enrich", "veille.cli.enrich", "app"),
    ("rollups", "veille.cli.rollups", "app"),
    ("export", "veille.cli.export", "app"),
    ("sources", "veille.cli.sources", "app"),
    ("alerts", "veille.cli.alerts", "app"),
]
# Modules whose `app` holds plain top-level commands.
_COMMAND_MODULES: tuple[str, ...] = ("veille.cli.hub", "veille.cli.ingest", "veille.cli.bench")


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="veille",
        help="Veille: the public's voice, live. Listening, topics, analytics and walls.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    for module_name in _COMMAND_MODULES:
        commands: typer.Typer = importlib.import_module(module_name).app
        app.registered_commands.extend(commands.registered_commands)
    for group, module_name, attribute in _SUBCOMMAND_GROUPS:
        app.add_typer(getattr(importlib.import_module(module_name), attribute), name=group)
    return app


def main() -> None:
    build_app()()

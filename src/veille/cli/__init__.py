"""The ``veille`` command line (typer). Each domain keeps its commands in a module of this package.

Sub-command groups are listed in ``_SUBCOMMAND_GROUPS`` as ``(name, module)``; each module exposes a
``typer.Typer`` called ``app``. Plain commands live in :mod:`veille.cli.core`.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["build_app", "main"]

# (group name, module holding `app: typer.Typer`)
_SUBCOMMAND_GROUPS: list[tuple[str, str]] = [
    ("query", "veille.cli.query"),
    ("topics", "veille.cli.topics"),
    ("simulate", "veille.cli.simulate"),
    ("accounts", "veille.cli.accounts"),
    ("influencers", "veille.cli.influencers"),
    ("report", "veille.cli.report"),
    ("train", "veille.cli.train"),
    ("enrich", "veille.cli.enrich"),
    ("rollups", "veille.cli.analytics"),
    ("export", "veille.cli.export"),
]


def build_app() -> typer.Typer:
    core = importlib.import_module("veille.cli.core")
    app: typer.Typer = core.app
    for group, module_name in _SUBCOMMAND_GROUPS:
        module = importlib.import_module(module_name)
        app.add_typer(module.app, name=group)
    return app


def main() -> None:
    build_app()()

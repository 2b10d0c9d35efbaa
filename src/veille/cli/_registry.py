"""What the curated registries' command groups share (``veille accounts``, ``veille influencers``):
importing a CSV file, all or nothing, into the store."""

# No ``from __future__ import annotations``: typer reads the command's annotations at run time and
# ``file_help`` is a local of add_import_command, so they must be evaluated where they are written.
import importlib
from pathlib import Path
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, fail, opened_store
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["add_import_command"]


def add_import_command(
    app: typer.Typer, *, service: str, parse: str, save: str, file_help: str, doc: str, summary: str
) -> None:
    """Add ``import FILE`` to ``app``: ``service.parse(text)`` reads the file (an error names its line
    and column and nothing is imported), ``service.save(store=, specs=)`` stores it and returns an
    :class:`~veille.csv_rows.ImportResult` shown with ``summary`` (``{created}``, ``{updated}``).
    The service module is imported when the command runs, so ``veille --help`` stays fast."""

    def import_command(
        file: Annotated[Path, typer.Argument(help=file_help)],
        data: DataOption = DEFAULT_DATA_DIR,
        config: ConfigOption = None,
    ) -> None:
        from veille.errors import Invalid

        module = importlib.import_module(service)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"{file}: {error}") from None
        try:
            specs = getattr(module, parse)(text)
        except Invalid as error:
            raise fail(f"{file}: {error}") from None
        with opened_store(data, config) as store:
            result = getattr(module, save)(store=store, specs=specs)
        err.print(summary.format(created=result.created, updated=result.updated), markup=False)

    import_command.__doc__ = doc
    app.command("import")(import_command)

"""The demo's data files, ``veille/demo/data/``: read with :mod:`tomllib` when asked for, never at import.

They ship inside the package (``[tool.setuptools.package-data]``), so they are found the same way
from a checkout and from an installed wheel. Callers that read a file often cache what they build
from it (the phrase banks, the default profile); this module does not cache.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

__all__ = ["data_file", "listed", "read_toml"]


def data_file(name: str) -> Traversable:
    """``veille/demo/data/<name>``, e.g. ``"profile.toml"`` or ``"phrases/fr.toml"``."""
    return files("veille.demo").joinpath("data", *name.split("/"))


def read_toml(name: str) -> dict[str, Any]:
    """A data file parsed; a broken shipped file names itself."""
    with data_file(name).open("rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"veille/demo/data/{name}: not valid TOML: {error}") from None


def listed(folder: str, suffix: str = ".toml") -> list[str]:
    """The stems of the ``suffix`` files of a data folder, sorted (``listed("phrases")`` → languages)."""
    return sorted(
        entry.name.removesuffix(suffix)
        for entry in data_file(folder).iterdir()
        if entry.is_file() and entry.name.endswith(suffix)
    )

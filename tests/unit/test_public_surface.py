"""Declared public surfaces are exact (httpx's ``tests/test_exported_members.py``).

A package that keeps an ``__init__`` surface lists it in ``__all__``, sorted the way ruff sorts it
(constants, then classes, then functions); every public name it binds is in that list, and every
name of the list is bound. A name added to a submodule reaches users only through this list.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

SURFACES = ["veille.sources.connectors"]


def _ruff_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 "isort-style" order: SCREAMING_CASE, then CamelCase, then the rest."""
    if len(name) > 1 and name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def _public_names(module: ModuleType) -> list[str]:
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    ]


def _own_docstring(name: str, value: object) -> str:
    """The object's own docstring: not a parent's, nor the signature a dataclass writes in its place."""
    doc = vars(value).get("__doc__") if inspect.isclass(value) else getattr(value, "__doc__", None)
    doc = (doc or "").strip()
    return "" if doc.startswith(f"{name}(") else doc


@pytest.mark.parametrize("package", SURFACES)
def test_all_lists_every_public_name_sorted(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    assert exported == sorted(_public_names(module), key=_ruff_order)


@pytest.mark.parametrize("package", SURFACES)
def test_every_exported_class_and_function_has_a_docstring(package: str) -> None:
    module = importlib.import_module(package)
    undocumented = [
        name
        for name in module.__all__
        if (inspect.isclass(value := getattr(module, name)) or inspect.isfunction(value))
        and not _own_docstring(name, value)
    ]
    assert not undocumented, f"{package}: exported without a docstring: {', '.join(undocumented)}"

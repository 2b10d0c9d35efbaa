"""The layer contract of ``shared/DESIGN.md`` §4: a package imports only from rows below its own.

Every ``veille`` import counts, at module level, inside functions and under ``TYPE_CHECKING``
alike: a lazy import is still a dependency. Rows are read top to bottom; only the bottom row's
modules may use each other. A new upward or sideways import fails this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import veille

SOURCE_ROOT = Path(veille.__file__).parent

# Top to bottom. A package may import packages of lower rows only (and itself).
LAYERS: list[tuple[str, ...]] = [
    ("__main__",),
    ("cli",),
    ("web", "benchmarks"),
    ("ingest",),
    ("hub",),
    ("demo",),
    ("governance",),
    ("reports", "sources", "jobs", "inbox", "editorial", "sso"),
    ("alerts", "walls", "dashboards"),
    ("analytics",),
    ("topics", "accounts", "influencers", "corrections", "access", "teams", "audit"),
    ("preparer",),
    ("pipeline", "testing", "workqueue", "live", "config_changes", "sharing"),
    ("store", "enrich", "query", "bus"),
    (
        "model",
        "contracts",
        "errors",
        "clock",
        "text",
        "csv_rows",
        "settings",
        "telemetry",
        "process",
        "i18n",
        "security",
        "__init__",
    ),
]
SHARED_ROW = LAYERS[-1]  # the bottom row's modules may use each other

# Imports that break the contract today and are being moved away (issue 10). The list only
# shrinks: an edge fixed here must be removed, and a new edge is never added.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def _row_of(package: str) -> int:
    for index, row in enumerate(LAYERS):
        if package in row:
            return index
    raise AssertionError(f"veille.{package} is in no row of the layer contract: add it to LAYERS")


def _package_of(module: str) -> str:
    """``veille.store.sql`` → ``store``; ``veille`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(SOURCE_ROOT.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "veille" or name.startswith("veille.")}


def package_edges() -> set[tuple[str, str]]:
    """Every (importing package, imported package) pair between different top-level packages."""
    edges: set[tuple[str, str]] = set()
    for path in SOURCE_ROOT.rglob("*.py"):
        importer = _package_of(_module_name(path))
        for imported in _imported_modules(path):
            target = _package_of(imported)
            is_code = (SOURCE_ROOT / target).is_dir() or (SOURCE_ROOT / f"{target}.py").is_file()
            if target != importer and is_code:
                edges.add((importer, target))
    return edges


def violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for importer, imported in package_edges():
        high, low = _row_of(importer), _row_of(imported)
        same_shared_row = importer in SHARED_ROW and imported in SHARED_ROW
        if high >= low and not same_shared_row:
            found.add((importer, imported))
    return found


def test_every_package_has_a_row() -> None:
    packages = {path.stem if path.is_file() else path.name for path in SOURCE_ROOT.iterdir()}
    packages = {name for name in packages if not name.startswith(".") and name not in {"py", "__pycache__"}}
    code = {
        name for name in packages if (SOURCE_ROOT / name).is_dir() or (SOURCE_ROOT / f"{name}.py").exists()
    }
    for package in sorted(code):
        if (SOURCE_ROOT / package).is_dir() and not (SOURCE_ROOT / package / "__init__.py").exists():
            continue  # a data folder
        _row_of(package)


def test_no_new_import_breaks_the_layers() -> None:
    new = violations() - KNOWN_VIOLATIONS
    assert not new, "imports against the layer contract (DESIGN §4): " + ", ".join(
        f"{importer} → {imported}" for importer, imported in sorted(new)
    )


def test_known_violations_are_still_there() -> None:
    """A fixed edge leaves KNOWN_VIOLATIONS, so the list can only shrink."""
    fixed = KNOWN_VIOLATIONS - violations()
    assert not fixed, "fixed, remove from KNOWN_VIOLATIONS: " + ", ".join(
        f"{importer} → {imported}" for importer, imported in sorted(fixed)
    )

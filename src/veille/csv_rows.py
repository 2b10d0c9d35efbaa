"""Data rows of an imported CSV file, with their line numbers, for all-or-nothing imports, and what
an import of a registry (brand accounts, curated influencers) did."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["ImportResult", "data_rows"]


def data_rows(reader: Any, width: int, errors: list[str]) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` for each non-blank row after the header of a ``csv.reader``.

    A malformed file ends the rows; it and rows whose field count differs from the header's
    ``width`` are reported in ``errors`` (naming the line) instead of being yielded.
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(f"line {reader.line_num}: {error}")
            return
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            errors.append(f"line {line}: {len(row)} fields where the header has {width}")
            continue
        yield line, row


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many entries an import added and how many it updated (same key: replaced in place)."""

    created: int
    updated: int

    def to_json_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated}

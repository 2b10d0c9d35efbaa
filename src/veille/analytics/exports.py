"""Any analytics result as CSV, JSON or Parquet (the API's ``format=`` and ``veille export``).

- JSON: the API's own JSON (``kind``, what was asked, ``columns``, ``rows``).
- CSV: one header line with the columns, then the rows (UTF-8, RFC 4180 quoting). Datetimes are
  RFC 3339 with their offset, lists are joined with ``|``, nulls are empty. A text cell that a
  spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) gets a leading ``'``: post text is untrusted data, never code (OWASP "CSV injection").
  Numbers are written as numbers, so a negative net sentiment stays ``-0.5``.
- Parquet: one column per result column (timestamps with their zone, lists as lists of strings),
  the JSON of what was asked in the file's key-value metadata under ``veille``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from veille.analytics.results import AnalyticsResult, json_value
from veille.errors import Invalid

__all__ = ["FORMATS", "ExportFormat", "export_bytes", "media_type", "write_export"]

ExportFormat = Literal["json", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("json", "csv", "parquet")
_MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def media_type(export_format: str) -> str:
    _check(export_format)
    return _MEDIA_TYPES[export_format]


def _check(export_format: str) -> None:
    if export_format not in FORMATS:
        raise Invalid(f"format: {export_format!r} is not one of {', '.join(FORMATS)}", field="format")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "|".join(str(item) for item in value)
    value = json_value(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(result: AnalyticsResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_csv_cell(row.get(name)) for name in result.columns])
    return buffer.getvalue().encode("utf-8")


def _parquet(result: AnalyticsResult) -> bytes:
    import pyarrow as pa  # imported when used: a large library that most commands never need
    import pyarrow.parquet as pq

    arrays = {name: pa.array([row.get(name) for row in result.rows]) for name in result.columns}
    metadata = {"veille": json.dumps({"kind": result.kind, **result.meta}, ensure_ascii=False, default=str)}
    table = pa.table(arrays).replace_schema_metadata(metadata)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def export_bytes(result: AnalyticsResult, export_format: str) -> bytes:
    """The result in ``export_format`` (json, csv or parquet)."""
    _check(export_format)
    if export_format == "csv":
        return _csv(result)
    if export_format == "parquet":
        return _parquet(result)
    return json.dumps(result.to_json_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_export(result: AnalyticsResult, export_format: ExportFormat | str, path: Path) -> int:
    """Write the result to ``path``; returns the bytes written."""
    data = export_bytes(result, export_format)
    path.write_bytes(data)
    return len(data)

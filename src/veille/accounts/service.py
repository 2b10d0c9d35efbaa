"""The brand-account registry: validated create/update/delete, list, CSV import.

Plain functions with keyword-only arguments; errors are :class:`AccountError` naming what is wrong
(the field, or the line and column of an import file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from veille.accounts import repository
from veille.accounts.models import AccountSpec, BrandAccount
from veille.csv_rows import ImportResult, data_rows
from veille.errors import Conflict, Invalid, NotFound, invalid_from
from veille.sharing import (
    SharingFields,
    check_edit,
    creator_of,
    may_see,
    record_sharing,
    sharing_for_change,
    sharing_for_new,
    visible,
    write_sharing,
)
from veille.sharing.models import Principal
from veille.store.handle_registry import HandleRegistry
from veille.store.schema import brand_accounts
from veille.store.sql import SqlStore

__all__ = [
    "CSV_COLUMNS",
    "CSV_OPTIONAL_COLUMNS",
    "AccountConflict",
    "AccountError",
    "AccountNotFound",
    "ImportResult",
    "create_account",
    "delete_account",
    "get_account",
    "import_accounts",
    "list_accounts",
    "parse_accounts_csv",
    "update_account",
]

CSV_COLUMNS: tuple[str, ...] = ("platform", "handle", "brand", "country", "ours")
# Business hours, optional: without ``timezone`` the account is taken to answer around the clock.
CSV_OPTIONAL_COLUMNS: tuple[str, ...] = ("timezone", "days", "start", "end")
_TRUE = {"true", "yes", "y", "1", "ours", "oui"}
_FALSE = {"false", "no", "n", "0", "", "non"}
_MAX_REPORTED_ERRORS = 20


class AccountError(Invalid):
    """A refused account (HTTP 422); ``field`` names the field at fault."""


class AccountNotFound(AccountError, NotFound):
    """No account with that id (HTTP 404)."""


class AccountConflict(AccountError, Conflict):
    """The account is already registered (HTTP 409)."""


def spec_from_json(body: Any) -> AccountSpec:
    try:
        return AccountSpec.model_validate(body)
    except ValidationError as error:
        raise invalid_from(error, AccountError) from None


def _not_found(account_id: int) -> AccountNotFound:
    return AccountNotFound(f"no brand account with id {account_id}", field="id")


def _conflict(spec: AccountSpec, other_id: int | None) -> AccountConflict:
    where = "" if other_id is None else f" (id {other_id})"
    return AccountConflict(f"{spec.platform}:@{spec.handle} is already registered{where}", field="handle")


_REGISTRY: HandleRegistry[AccountSpec, BrandAccount] = HandleRegistry(
    brand_accounts,
    item=repository.account_from_row,
    values=repository.account_values,
    not_found=_not_found,
    conflict=_conflict,
)


# -- reads ---------------------------------------------------------------------------------------


def list_accounts(*, store: SqlStore, viewer: Principal | None = None) -> list[BrandAccount]:
    """The accounts ``viewer`` may see (None: all, what the care metrics read)."""
    return visible(viewer, repository.list_accounts(store), BrandAccount.sharing)


def get_account(*, store: SqlStore, account_id: int, viewer: Principal | None = None) -> BrandAccount:
    found = _REGISTRY.fetch(store.engine, account_id)
    if not may_see(viewer, found.sharing()):
        raise _not_found(account_id)
    return found


# -- writes --------------------------------------------------------------------------------------


def _asked(spec: AccountSpec) -> SharingFields:
    given = spec.model_fields_set
    return SharingFields.model_validate(
        {key: getattr(spec, key) for key in ("owner_team", "visibility") if key in given}
    )


def _share(
    store: SqlStore, account: BrandAccount, *, by: Principal | None, before: Any, after: Any
) -> BrandAccount:
    with store.engine.begin() as connection:
        write_sharing(connection, brand_accounts, brand_accounts.c.id, account.id, after)
        record_sharing(
            connection,
            actor=creator_of(by) or "cli",
            kind="account",
            object_id=account.id,
            before=before,
            after=after,
        )
    return account.model_copy(
        update={
            "owner_team": after.owner_team,
            "visibility": after.visibility,
            "created_by": after.created_by,
        }
    )


def create_account(*, store: SqlStore, spec: AccountSpec, by: Principal | None = None) -> BrandAccount:
    """Register an account; ``by`` (None: the operator) gives its owner team (checked)."""
    sharing = sharing_for_new(by, _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    created = _REGISTRY.create(store.engine, spec)
    return _share(store, created, by=by, before=None, after=sharing)


def update_account(
    *, store: SqlStore, account_id: int, spec: AccountSpec, by: Principal | None = None
) -> BrandAccount:
    """Replace an account's fields (platform and handle may change, if no other account has them);
    the sharing stays when the body does not give it."""
    current = get_account(store=store, account_id=account_id, viewer=by)
    check_edit(by, current.sharing(), what=f"account {account_id}")
    sharing = sharing_for_change(by, current.sharing(), _asked(spec), store=store)
    spec = spec.model_copy(update={"owner_team": sharing.owner_team, "visibility": sharing.visibility})
    updated = _REGISTRY.replace(store.engine, account_id, spec)
    return _share(store, updated, by=by, before=current.sharing(), after=sharing)


def delete_account(*, store: SqlStore, account_id: int, by: Principal | None = None) -> None:
    current = get_account(store=store, account_id=account_id, viewer=by)
    check_edit(by, current.sharing(), what=f"account {account_id}")
    _REGISTRY.remove(store.engine, account_id)


def import_accounts(*, store: SqlStore, specs: Sequence[AccountSpec]) -> ImportResult:
    """Register the accounts in one transaction; an account already registered (same platform and
    handle) is updated in place, so importing the same file twice changes nothing."""
    return ImportResult(*_REGISTRY.import_all(store.engine, specs))


# -- CSV -----------------------------------------------------------------------------------------


def parse_accounts_csv(text: str) -> list[AccountSpec]:
    """Read ``platform,handle,brand,country,ours`` (+ optional ``timezone,days,start,end``) CSV.

    Every error names its line (1 is the header) and column; all of them are reported at once
    (up to 20), and nothing is imported when there is one.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise AccountError(f"line 1: empty file (expected the header {','.join(CSV_COLUMNS)})") from None
    except csv.Error as error:
        raise AccountError(f"line 1: {error}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in CSV_COLUMNS if name not in names]
    unknown = [name for name in names if name not in CSV_COLUMNS + CSV_OPTIONAL_COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(repr(name) for name in unknown)}")
    if duplicated:
        problems.append(f"column(s) given twice: {', '.join(duplicated)}")
    if problems:
        allowed = ",".join(CSV_COLUMNS) + " (optional: " + ",".join(CSV_OPTIONAL_COLUMNS) + ")"
        raise AccountError(f"line 1 (header): {'; '.join(problems)}; expected {allowed}")
    position = {name: index for index, name in enumerate(names)}
    errors: list[str] = []
    specs: list[AccountSpec] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in data_rows(reader, len(names), errors):
        spec = _row_spec(line, {name: row[index] for name, index in position.items()}, position, errors)
        if spec is None:
            continue
        if spec.key in seen:
            column = position["handle"] + 1
            errors.append(f"line {line}, column {column} (handle): same account as line {seen[spec.key]}")
            continue
        seen[spec.key] = line
        specs.append(spec)
    if errors:
        shown = errors[:_MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise AccountError("; ".join(shown) + (f"; and {more} more" if more else ""))
    return specs


def _where(line: int, column: str, position: dict[str, int]) -> str:
    return f"line {line}, column {position[column] + 1} ({column})"


def _row_spec(
    line: int, cells: dict[str, str], position: dict[str, int], errors: list[str]
) -> AccountSpec | None:
    ours_text = cells["ours"].strip().lower()
    if ours_text not in _TRUE | _FALSE:
        errors.append(f"{_where(line, 'ours', position)}: expected true or false, got {cells['ours']!r}")
        return None
    hours: dict[str, str] | None = None
    given_hours = {name: cells[name].strip() for name in CSV_OPTIONAL_COLUMNS if cells.get(name, "").strip()}
    if given_hours:
        if "timezone" not in given_hours:
            first = next(iter(given_hours))
            errors.append(
                f"{_where(line, first, position)}: business hours need a timezone (column timezone)"
            )
            return None
        hours = given_hours
    body: dict[str, Any] = {
        "platform": cells["platform"],
        "handle": cells["handle"],
        "brand": cells["brand"],
        "country": cells["country"],
        "ours": ours_text in _TRUE,
        "business_hours": hours,
    }
    try:
        return AccountSpec.model_validate(body)
    except ValidationError as error:
        for item in error.errors():
            loc = [str(part) for part in item["loc"]]
            column = loc[0] if loc else "handle"
            if column == "business_hours":
                # A whole-object error (end before start) is reported on the end column.
                column = loc[1] if len(loc) > 1 and loc[1] in position else "end"
            if column not in position:
                column = "timezone"
            message = str(item["msg"]).removeprefix("Value error, ")
            errors.append(f"{_where(line, column, position)}: {message}")
        return None

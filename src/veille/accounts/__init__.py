"""The registry of official brand accounts (ours and competitors'), behind the customer-care indicators.

- :class:`AccountSpec`, :class:`BrandAccount`, :class:`BusinessHours` — what an account holds;
- :mod:`veille.accounts.service` — create/update/delete/list/get, CSV import;
- :func:`business_seconds` — the part of a time span inside an account's business hours.
"""

from veille.accounts.hours import business_seconds
from veille.accounts.models import DAYS, AccountSpec, BrandAccount, BusinessHours, account_label, handle_key
from veille.accounts.service import (
    AccountConflict,
    AccountError,
    AccountNotFound,
    ImportResult,
    create_account,
    delete_account,
    get_account,
    import_accounts,
    list_accounts,
    parse_accounts_csv,
    update_account,
)

__all__ = [
    "DAYS",
    "AccountConflict",
    "AccountError",
    "AccountNotFound",
    "AccountSpec",
    "BrandAccount",
    "BusinessHours",
    "ImportResult",
    "account_label",
    "business_seconds",
    "create_account",
    "delete_account",
    "get_account",
    "handle_key",
    "import_accounts",
    "list_accounts",
    "parse_accounts_csv",
    "update_account",
]

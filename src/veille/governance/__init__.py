"""Official-account governance: requests to open an official account, their review (approve,
reject, ask for changes, with comments), the brand account an approval registers, and the
register of every official account with its owner team, status and last activity."""

from veille.governance.models import STATUSES, AccountRequest, RequestSpec, ReviewBody
from veille.governance.service import (
    GovernanceConflict,
    RequestNotFound,
    add_comment,
    file_request,
    get_request,
    list_requests,
    register,
    review_request,
    update_request,
)

__all__ = [
    "STATUSES",
    "AccountRequest",
    "GovernanceConflict",
    "RequestNotFound",
    "RequestSpec",
    "ReviewBody",
    "add_comment",
    "file_request",
    "get_request",
    "list_requests",
    "register",
    "review_request",
    "update_request",
]

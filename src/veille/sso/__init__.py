"""Single sign-on with OpenID Connect, next to local accounts (docs/security.md).

:mod:`veille.sso.oidc` speaks to the identity provider (discovery, authorization code with PKCE,
ID token checked against the provider's keys); :mod:`veille.sso.accounts` turns a checked identity
into a user of the hub, with the role and teams its groups map to.
"""

from veille.sso.accounts import SsoRefused, grant_for_groups, sign_in_identity
from veille.sso.oidc import FlowState, Identity, OidcClient, OidcConfig, OidcError

__all__ = [
    "FlowState",
    "Identity",
    "OidcClient",
    "OidcConfig",
    "OidcError",
    "SsoRefused",
    "grant_for_groups",
    "sign_in_identity",
]

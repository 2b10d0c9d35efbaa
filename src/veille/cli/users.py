"""``veille user`` and ``veille token``: who may log in with which role and teams, and API tokens."""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, opened_store, reported_errors
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["token_app", "user_app"]

user_app = typer.Typer(help="Users who log in to the hub, their role and teams.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)

RoleOption = Annotated[str | None, typer.Option("--role", help="admin, analyst or viewer.")]
TeamOption = Annotated[list[str] | None, typer.Option("--team", help="A team (repeat for several).")]


def _when(us: int | None) -> str:
    return "-" if us is None else datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    password: Annotated[
        str | None, typer.Option(envvar="VEILLE_NEW_PASSWORD", help="Default: asked for, or generated.")
    ] = None,
    role: RoleOption = None,
    team: TeamOption = None,
    admin: Annotated[
        bool, typer.Option(help="Older form of --role admin / --role analyst (when --role is not given).")
    ] = True,
) -> None:
    """Add a user who can log in (argon2-hashed password). Without --role: admin (the bootstrap form)."""

    generated = password is None and not sys.stdin.isatty()
    if password is None:
        password = secrets.token_urlsafe(12) if generated else typer.prompt("Password", hide_input=True)
    chosen = role or ("admin" if admin else "analyst")
    with opened_store(data, config) as store:
        from veille.access import UserAccess

        with reported_errors():
            UserAccess(store).add_user(username, password, role=chosen, teams=team or [])
    name = username.strip().lower()
    err.print(f"user {name} added ({chosen}{', teams ' + ', '.join(team) if team else ''})", markup=False)
    if chosen != "admin" and not team:
        err.print(
            f"note: {name} is in no team, so sees no post until added to one (veille user set)", markup=False
        )
    if generated:
        sys.stdout.write(f"{password}\n")


@user_app.command("set")
def user_set(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    role: RoleOption = None,
    team: TeamOption = None,
) -> None:
    """Change a user's role and/or teams (--team replaces the list)."""
    from veille.access import UserAccess

    with opened_store(data, config) as store:
        access = UserAccess(store)
        with reported_errors():
            if role is not None:
                access.set_role(username, role)
            if team is not None:
                access.set_teams(username, team)
    err.print(f"user {username.strip().lower()} changed", markup=False)


@user_app.command("list")
def user_list(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Users with their role and teams (tab-separated: username, role, teams, created)."""
    from veille.access import UserAccess

    with opened_store(data, config) as store:
        for user in UserAccess(store).list_users():
            sys.stdout.write(
                f"{user.username}\t{user.role}\t{','.join(user.teams) or '-'}\t{_when(user.created_us)}\n"
            )


@user_app.command("remove")
def user_remove(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Remove a user: their sessions end and their tokens stop working at once."""
    from veille.access import UserAccess

    with opened_store(data, config) as store, reported_errors():
        UserAccess(store).remove_user(username)
    err.print(f"user {username.strip().lower()} removed", markup=False)


@user_app.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    password: Annotated[
        str | None, typer.Option(envvar="VEILLE_NEW_PASSWORD", help="Default: asked for, or generated.")
    ] = None,
) -> None:
    """Set a user's password; their open sessions end."""
    from veille.access import UserAccess

    generated = password is None and not sys.stdin.isatty()
    if password is None:
        password = secrets.token_urlsafe(12) if generated else typer.prompt("Password", hide_input=True)
    with opened_store(data, config) as store, reported_errors():
        UserAccess(store).set_password(username, password)
    err.print(f"password of {username.strip().lower()} changed; their sessions ended", markup=False)
    if generated:
        sys.stdout.write(f"{password}\n")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for (shown in logs).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    role: Annotated[str, typer.Option("--role", help="admin, analyst or viewer.")] = "admin",
    team: TeamOption = None,
    push_sources: Annotated[
        str | None,
        typer.Option(
            "--push-sources",
            help="Sources it may write through the push API, comma-separated ('*': every source). "
            "Default: every source for an admin token, else push.",
        ),
    ] = None,
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from veille.access import UserAccess

    sources = (
        None if push_sources is None else [part.strip() for part in push_sources.split(",") if part.strip()]
    )
    with opened_store(data, config) as store, reported_errors():
        token = UserAccess(store).create_token(name, role=role, teams=team or [], push_sources=sources)
    sys.stdout.write(f"{token}\n")


@token_app.command("list")
def token_list(data: DataOption = DEFAULT_DATA_DIR, config: ConfigOption = None) -> None:
    """Tokens, never their secrets (tab-separated: id, name, role, teams, user, created, last used)."""
    from veille.access import UserAccess

    with opened_store(data, config) as store:
        for token in UserAccess(store).list_tokens():
            sys.stdout.write(
                f"{token.id}\t{token.name}\t{token.role}\t{','.join(token.teams) or '-'}\t{token.user or '-'}"
                f"\t{_when(token.created_us)}\t{_when(token.last_used_us)}\n"
            )


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (veille token list).", min=1)],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from veille.access import UserAccess

    with opened_store(data, config) as store, reported_errors():
        UserAccess(store).revoke_token(token_id)
    err.print(f"token {token_id} revoked", markup=False)

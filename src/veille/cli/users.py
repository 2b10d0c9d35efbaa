"""``veille user`` and ``veille token``: who may log in, and API tokens for scripts."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer

from veille.cli._options import ConfigOption, DataOption, err, fail, settings_from_options
from veille.settings import DEFAULT_DATA_DIR

__all__ = ["token_app", "user_app"]

user_app = typer.Typer(help="Users who log in to the hub.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer TOKEN).", no_args_is_help=True)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument()],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
    password: Annotated[
        str | None, typer.Option(envvar="VEILLE_NEW_PASSWORD", help="Default: asked for, or generated.")
    ] = None,
    admin: Annotated[bool, typer.Option(help="Administrator.")] = True,
) -> None:
    """Add a user who can log in (the first one is the bootstrap admin). Passwords are argon2-hashed."""
    from veille.access import AccessError, UserAccess
    from veille.store import open_store

    settings = settings_from_options(data, config)
    generated = password is None and not sys.stdin.isatty()
    if password is None:
        password = secrets.token_urlsafe(12) if generated else typer.prompt("Password", hide_input=True)
    store = open_store(settings.sqlalchemy_url)
    try:
        UserAccess(store).add_user(username, password, admin=admin)
    except AccessError as error:
        raise fail(f"{error}") from None
    finally:
        store.close()
    err.print(f"user {username.strip().lower()} added")
    if generated:
        sys.stdout.write(f"{password}\n")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for (shown in logs).")],
    data: DataOption = DEFAULT_DATA_DIR,
    config: ConfigOption = None,
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from veille.access import UserAccess
    from veille.store import open_store

    settings = settings_from_options(data, config)
    store = open_store(settings.sqlalchemy_url)
    try:
        token = UserAccess(store).create_token(name)
    finally:
        store.close()
    sys.stdout.write(f"{token}\n")

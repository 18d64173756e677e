"""``saylau user``: accounts and roles from the command line (the first administrator)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.exit_codes import UsageError, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.core.roles import Assignment, Role
from saylau.services.accounts import change_role, create_user
from saylau.services.errors import ServiceError
from saylau.store.errors import StoreError

PASSWORD_VARIABLE = "SAYLAU_PASSWORD"

user_app = typer.Typer(help="Accounts and roles.", no_args_is_help=True)


@user_app.command("add")
def add_command(
    login: Annotated[str, typer.Argument(help="Login name (lower case).")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    election: Annotated[str | None, typer.Option(help="Election of the role.")] = None,
    commission: Annotated[
        str | None, typer.Option(help="Commission (or station) where the role applies.")
    ] = None,
    role: Annotated[Role | None, typer.Option(help="Role to grant.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user; the password is read from $SAYLAU_PASSWORD or asked for."""
    password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    wanted = (election, commission, role)
    try:
        if any(v is not None for v in wanted) and not all(v is not None for v in wanted):
            raise UsageError("--election, --commission and --role go together")
        with opened(database) as store:
            create_user(store, login, name, password)
            if election is not None and commission is not None and role is not None:
                change_role(store, Assignment(login, election, commission, role), grant=True)
    except (UsageError, ServiceError, StoreError) as error:
        raise fail_with(error) from None
    shown = f" as {role} in {commission} of {election}" if role else ""
    Console().print(f"User {login} added{shown}.", highlight=False)


@user_app.command("grant")
def grant_command(
    login: Annotated[str, typer.Argument(help="Login name.")],
    election: Annotated[str, typer.Option(help="Election of the role.")],
    commission: Annotated[str, typer.Option(help="Commission (or station).")],
    role: Annotated[Role, typer.Option(help="Role to grant.")],
    database: DatabaseOption = None,
) -> None:
    """Grant a role to an existing user."""
    try:
        with opened(database) as store:
            changed = change_role(store, Assignment(login, election, commission, role), grant=True)
    except (ServiceError, StoreError) as error:
        raise fail_with(error) from None
    Console().print(
        f"{login}: {role} in {commission}" + ("" if changed else " (already held)"),
        highlight=False,
    )

"""``gosplan users add|list|disable|enable|role|password|delete``: accounts of the web server and the API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import ROLE_HELP, DbOption, console, open_service
from gosplan.i18n import N_, _

app = typer.Typer(help="Accounts: add, list, disable, enable, change role or password, delete.", no_args_is_help=True)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
    subtree: Annotated[str | None, typer.Option(help="Unit code: limit the account to this unit's subtree.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create an account; the password is asked for (never echoed) or read from stdin."""
    from gosplan.service.accounts import add_user

    service = open_service(db)
    add_user(service, name, _password(password_stdin), role, subtree, actor="cli", source="gosplan users add")
    console.print(_("User {name} added ({role}, subtree {subtree}).", name=name, role=role,
                    subtree=subtree) if subtree else
                  _("User {name} added ({role}).", name=name, role=role), markup=False)


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Show every account."""
    from gosplan.service.accounts import list_users

    users = list_users(open_service(db))
    table = terminal.table()
    for header in (N_("Name"), N_("Role"), N_("Subtree"), N_("Disabled")):
        terminal.text(table, _(header), min_width=6)
    terminal.number(table, _("Created"))  # a time is never cut
    for r in users.itertuples():
        table.add_row(r.name, r.role, r.subtree or _("(all)"), _("yes") if r.disabled else "", str(r.created_at)[:19])
    terminal.show(console, table)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None) -> None:
    """Disable an account and end its sessions (not the last enabled admin)."""
    from gosplan.service.accounts import set_disabled

    set_disabled(open_service(db), name, True, actor="cli", source="gosplan users disable")
    console.print(_("User {name} disabled.", name=name), markup=False)


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None) -> None:
    """Enable a disabled account again (it signs in anew: old sessions stay ended)."""
    from gosplan.service.accounts import set_disabled

    set_disabled(open_service(db), name, False, actor="cli", source="gosplan users enable")
    console.print(_("User {name} enabled.", name=name), markup=False)


@app.command("role")
def role(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    subtree: Annotated[str | None, typer.Option(help="Unit code: limit the account to this unit's subtree.")] = None,
    db: DbOption = None,
) -> None:
    """Change an account's role and subtree (not demoting the last enabled admin)."""
    from gosplan.service.accounts import set_role

    set_role(open_service(db), name, role, subtree, actor="cli", source="gosplan users role")
    console.print(_("User {name} is now {role}, subtree {subtree}.", name=name, role=role,
                    subtree=subtree) if subtree else
                  _("User {name} is now {role}.", name=name, role=role), markup=False)


@app.command("password")
def password(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Set a new password; every session of the account ends."""
    from gosplan.service.accounts import set_password

    set_password(open_service(db), name, _password(password_stdin), actor="cli", source="gosplan users password")
    console.print(_("Password of {name} changed; its sessions have ended.", name=name), markup=False)


@app.command("delete")
def delete(name: Annotated[str, typer.Argument(help="Login name.")], db: DbOption = None) -> None:
    """Delete an account and its sessions (not the last enabled admin; the audit log keeps its entries)."""
    from gosplan.service.accounts import delete_user

    delete_user(open_service(db), name, actor="cli", source="gosplan users delete")
    console.print(_("User {name} deleted.", name=name), markup=False)

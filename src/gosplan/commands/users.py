"""``gosplan users add|list|disable|enable|role|password|delete``: accounts of the web server and the API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import ROLE_HELP, DbOption, console, open_service
from gosplan.i18n import N_, _

app = typer.Typer(help="Accounts: add, list, disable, enable, change role or password, delete.", no_args_is_help=True)


MinistryOption = Annotated[str | None, typer.Option(
    "--ministry", help="Ministry code: only the units of this ministry (and the units below them), e.g. "
                       "coal_industry; the same as --group ministry:CODE.")]
GroupOption = Annotated[str | None, typer.Option(
    "--group", help="GROUPING:GROUP: only the units of one group of a grouping of units (and the units below "
                    "them), e.g. ministry:coal_industry or technology:hydro.")]


def group_scope(ministry: str | None, group: str | None) -> tuple[str, str] | None:
    """The (grouping, group) of ``--ministry CODE`` or ``--group GROUPING:GROUP`` (not both)."""
    from gosplan.service.accounts import parse_group

    if ministry and group:
        raise typer.BadParameter(_("give --ministry or --group, not both"), param_hint="'--group'")
    return ("ministry", ministry.strip()) if ministry and ministry.strip() else parse_group(group)


def _said(added: bool, name: str, role: str, subtree: str | None, group: tuple[str, str] | None) -> str:
    """What ``users add`` (``added``) or ``users role`` did, as one sentence."""
    if group:
        return (_("User {name} added ({role}, group {group} of {grouping}).", name=name, role=role, group=group[1],
                  grouping=group[0]) if added else
                _("User {name} is now {role}, group {group} of {grouping}.", name=name, role=role, group=group[1],
                  grouping=group[0]))
    if subtree:
        return (_("User {name} added ({role}, subtree {unit}).", name=name, role=role, unit=subtree) if added else
                _("User {name} is now {role}, subtree {unit}.", name=name, role=role, unit=subtree))
    return (_("User {name} added ({role}).", name=name, role=role) if added else
            _("User {name} is now {role}.", name=name, role=role))


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
    subtree: Annotated[str | None, typer.Option(help="Unit code: limit the account to this unit's subtree.")] = None,
    ministry: MinistryOption = None,
    group: GroupOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create an account; the password is asked for (never echoed) or read from stdin."""
    from rich.markup import escape

    from gosplan.service.accounts import add_user

    scope = group_scope(ministry, group)
    service = open_service(db)
    add_user(service, name, _password(password_stdin), role, subtree, group=scope, actor="cli",
             source="gosplan users add")
    console.print(escape(_said(True, name, role, subtree, scope)))


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Show every account."""
    from gosplan.service.accounts import list_users

    users = list_users(open_service(db))
    table = terminal.table()
    for header in (N_("Name"), N_("Role"), N_("Scope"), N_("Disabled")):
        terminal.text(table, _(header), min_width=6)
    terminal.number(table, _("Created"))  # a time is never cut
    for r in users.itertuples():
        scope = f"{r.scope_grouping}:{r.scope_group}" if r.scope_group else (r.subtree or _("(all)"))
        table.add_row(r.name, r.role, scope, _("yes") if r.disabled else "", str(r.created_at)[:19])
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
    ministry: MinistryOption = None,
    group: GroupOption = None,
    db: DbOption = None,
) -> None:
    """Change an account's role and scope (not demoting the last enabled admin)."""
    from rich.markup import escape

    from gosplan.service.accounts import set_role

    scope = group_scope(ministry, group)
    set_role(open_service(db), name, role, subtree, group=scope, actor="cli", source="gosplan users role")
    console.print(escape(_said(False, name, role, subtree, scope)))


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

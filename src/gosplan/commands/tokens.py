"""``gosplan tokens create|revoke|list``: API tokens for machine clients."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import ROLE_HELP, DbOption, console, open_service
from gosplan.commands.users import GroupOption, MinistryOption, group_scope
from gosplan.i18n import N_, _

app = typer.Typer(help="API tokens: create, revoke, list.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'province-01 uploader'.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
    subtree: Annotated[str | None, typer.Option(help="Unit code: limit the token to this subtree.")] = None,
    ministry: MinistryOption = None,
    group: GroupOption = None,
    db: DbOption = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    from gosplan.service.accounts import create_token

    scope = group_scope(ministry, group)
    token_id, token = create_token(open_service(db), name, role, subtree, group=scope, actor="cli",
                                   source="gosplan tokens create")
    if scope:
        console.print(_("Token {id} ({role}, group {group}) — copy it now, it is not shown again:", id=token_id,
                        role=role, group=f"{scope[0]}:{scope[1]}"), highlight=False, markup=False)
    else:
        console.print(_("Token {id} ({role}, subtree {subtree}) — copy it now, it is not shown again:",
                        id=token_id, role=role, subtree=subtree) if subtree else
                      _("Token {id} ({role}) — copy it now, it is not shown again:", id=token_id, role=role),
                      highlight=False, markup=False)
    typer.echo(token)


@app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="The token's id (see gosplan tokens list).")],
           db: DbOption = None) -> None:
    """Revoke a token; requests with it are refused from now on."""
    from gosplan.service.accounts import revoke_token

    revoke_token(open_service(db), token_id, actor="cli", source="gosplan tokens revoke")
    console.print(_("Token {id} revoked.", id=token_id), highlight=False)


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Show the tokens (never their secret)."""
    from gosplan.service.accounts import list_tokens

    table = terminal.table()
    terminal.number(table, _("Id"))
    terminal.text(table, _("Name"), min_width=10)  # what tells the tokens apart: never squeezed to nothing
    for header in (N_("Role"), N_("Scope"), N_("Created by")):
        terminal.text(table, _(header), min_width=6)
    for header in (N_("Created"), N_("Last used")):  # a time is never cut
        terminal.number(table, _(header))
    terminal.text(table, _("Revoked"), min_width=6)
    for r in list_tokens(open_service(db)).itertuples():
        scope = (f"{r.scope_grouping}:{r.scope_group}" if getattr(r, "scope_group", None)
                 else r.subtree or _("(all)"))
        table.add_row(str(r.id), r.name, r.role, scope, r.created_by, str(r.created_at)[:19],
                      str(r.last_used_at)[:19] if r.last_used_at is not None else "", _("yes") if r.revoked else "")
    terminal.show(console, table)

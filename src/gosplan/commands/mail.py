"""``gosplan mail``: users' addresses and choices, the outbox, sending, retrying, the daily digest."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import N_, _, gettext

app = typer.Typer(help="Mail: addresses, the outbox, sending, retries, digests.")
#: What a reader may receive mail about, and the states of the outbox, in the reader's words.
KINDS = (N_("alert"), N_("approval"), N_("deadline"), N_("action"))
STATES = (N_("queued"), N_("sending"), N_("sent"), N_("failed"), N_("held"), N_("digested"))
#: "3 queued, 0 sending...": one phrase per state, so that Korean can put the count after the word.
OUTBOX = {"queued": N_("{count} queued"), "sending": N_("{count} sending"), "sent": N_("{count} sent"),
          "failed": N_("{count} failed"), "held": N_("{count} held"), "digested": N_("{count} digested")}


def _kinds(kinds: list[str]) -> str:
    return ", ".join(gettext(k) for k in kinds)


@app.command("address")
def address(user: Annotated[str, typer.Argument(help="Account name.")],
            email: Annotated[str | None, typer.Argument(help="Mail address (omit with --remove).")] = None,
            kinds: Annotated[str | None, typer.Option(help="Comma-separated: alert, approval, deadline, action "
                                                           "(default: all).")] = None,
            digest: Annotated[bool, typer.Option("--digest/--immediate",
                                                 help="One daily digest instead of a mail per event.")] = False,
            remove: Annotated[bool, typer.Option("--remove", help="Stop mail to this account.")] = False,
            db: DbOption = None) -> None:
    """Give an account a mail address and choose what it receives."""
    from gosplan.service.mail import remove_address, set_address

    service = open_service(db)
    if remove:
        remove_address(service, user)
        console.print(_("{user} receives no mail", user=user))
        return
    if not email:
        raise typer.BadParameter(_("give the mail address (or --remove)"), param_hint="'EMAIL'")
    set_address(service, user, email, kinds.split(",") if kinds else None, digest)
    row = service.store.mail_settings().set_index("user_name").loc[user]
    console.print(_("{user} <{email}>: {kinds}, {how}", user=user, email=row["email"], kinds=_kinds(row["kinds"]),
                    how=_("daily digest") if row["digest"] else _("at once")), highlight=False, markup=False)


@app.command("addresses")
def addresses(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Accounts with a mail address and their choices."""
    from gosplan import terminal
    from gosplan.service.mail import addresses as listed

    frame = listed(open_service(db))
    if emit(frame.assign(kinds=frame["kinds"].map(", ".join)), fmt):
        return
    frame = frame.assign(kinds=frame["kinds"].map(_kinds))
    table = terminal.table(_("Mail addresses"))
    for name in (_("User"), _("Address")):
        terminal.text(table, name)
    terminal.text(table, _("Kinds"), wrap=True)
    for name in (_("How"), _("Role"), _("Subtree")):
        terminal.text(table, name)
    for r in frame.itertuples(index=False):
        table.add_row(r.user_name, r.email, r.kinds, _("digest") if r.digest else _("at once"), str(r.role),
                      "" if r.subtree is None or r.subtree != r.subtree else str(r.subtree))
    terminal.show(console, table)


@app.command("send")
def send(db: DbOption = None) -> None:
    """Hand the due messages to the SMTP server (GOSPLAN_SMTP_*); run it every minute or so."""
    from gosplan.service.mail import SmtpSettings, send_due

    result = send_due(open_service(db), SmtpSettings.from_env())
    console.print(_("{sent} sent, {deferred} waiting for another attempt, {failed} failed",
                    sent=result.sent, deferred=result.deferred, failed=result.failed))
    if result.error:
        console.print(_("last error: {error}", error=result.error), markup=False)


@app.command("digest")
def digest(db: DbOption = None) -> None:
    """Gather each digest reader's held messages into one mail (queued); run it once a day."""
    from gosplan.service.mail import gather_digests

    console.print(_("{count} digest(s) queued", count=gather_digests(open_service(db))))


@app.command("deadlines")
def deadlines(today: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD) to judge from; "
                                                                "default today.")] = None,
              db: DbOption = None) -> None:
    """Queue reminders of deadlines near and notices of deadlines missed; run it once a day."""
    from datetime import date

    from gosplan.service.notify import deadlines as run

    near, missed = run(open_service(db), date.fromisoformat(today) if today else None)
    console.print(_("{near} reminder(s) of a deadline near, {missed} notice(s) of a deadline missed queued",
                    near=near, missed=missed))


@app.command("status")
def status(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """The outbox: messages per state, and those waiting or failed with their last error."""
    from gosplan import terminal
    from gosplan.service.mail import status as outbox

    counts, waiting = outbox(open_service(db))
    if emit(waiting, fmt):
        return
    order = ("queued", "sending", "sent", "failed", "held", "digested")
    console.print(_("Outbox: {counts}", counts=", ".join(_(OUTBOX[s], count=counts.get(s, 0)) for s in order)))
    if waiting.empty:
        return
    table = terminal.table(_("Waiting and failed"))
    for name in (_("Id"), _("Tries")):
        terminal.number(table, name)
    terminal.text(table, _("State"))
    terminal.text(table, _("To"), wrap=True)
    terminal.number(table, _("Next try (UTC)"))  # a time stamp is never cut
    terminal.text(table, _("Last error"), min_width=20, wrap=True)  # the admin must read it whole
    for r in waiting.itertuples(index=False):
        table.add_row(str(r.id), str(r.attempts), gettext(r.status), r.recipient,
                      str(r.next_attempt_at)[:16] if r.status != "failed" else "",
                      "" if r.last_error is None else str(r.last_error))
    terminal.show(console, table)


@app.command("retry")
def retry(ids: Annotated[list[int] | None, typer.Argument(help="Message ids (default: every failed one).")] = None,
          db: DbOption = None) -> None:
    """Queue failed messages again, due at once."""
    from gosplan.service.mail import retry as requeue

    console.print(_("{count} message(s) queued again", count=requeue(open_service(db), ids or None)))

"""The ``gosplan`` command: thin wrappers over :mod:`gosplan.service`.

The store comes from ``--db`` or ``GOSPLAN_DB`` and defaults to ``gosplan.db`` (SQLite) in the
current directory, which is where ``gosplan demo`` leaves the demo economy.

Every command lives in a module of :mod:`gosplan.commands` and is listed, with its one-line help, in
:data:`COMMANDS`. A command's module is imported only when that command runs (or shows its own help),
so ``gosplan --help`` and ``gosplan --version`` load neither pandas nor the service layer.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from gosplan import __version__
from gosplan.commands._language import (
    LanguageError,
    choose,
    install_click_words,
    pop_language,
    translate_click_message,
    translate_command,
)
from gosplan.errors import GosplanError
from gosplan.i18n import N_, _, current_language, gettext

#: Every command: name -> (where it lives, the line ``gosplan --help`` shows). Where it lives is a module
#: exposing a Typer ``app`` (a command group) or a function ``command``, or ``"module:function"``.
#: To add a command, add one line here, in alphabetical order.
COMMANDS: dict[str, tuple[str, str]] = {
    "actions": ("gosplan.commands.actions", N_("The action plan: proposed from the review, adopted, tracked.")),
    "alerts": ("gosplan.commands.alerts", N_("Alerts from forecasts and exceptions, escalating upwards.")),
    "approvals": ("gosplan.commands.approvals", N_("Approval of reports along the hierarchy; period locks.")),
    "balance": ("gosplan.commands.balance", N_("Input-output balances: key sectors, shocks, plan balancing.")),
    "campaigns": ("gosplan.commands.campaigns", N_("Movements: spread, reach forecast and effect on output.")),
    "completeness": ("gosplan.commands.completeness", N_("Reports owed, received and on time, per unit and level.")),
    "demo": ("gosplan.commands.demo", N_("Build the demo economy and write its mid-year review.")),
    "entry": ("gosplan.commands.entry", N_("When data entry closes; late-entry permissions.")),
    "export": ("gosplan.commands.files:export_command", N_("Export current values or fulfilment to a file.")),
    "forecast": ("gosplan.commands.forecast", N_("Year-end forecast of each annual target, with P(attain).")),
    "history": ("gosplan.commands.status:history_command", N_("Every revision of a unit's reports.")),
    "import": ("gosplan.commands.files:import_command",
              N_("Import units, plans, targets, reports... (all-or-nothing).")),
    "indicators": ("gosplan.commands.indicators", N_("Indicators with definition, method, source, frequency.")),
    "init": ("gosplan.commands.demo:init_command", N_("Create (or upgrade) an empty store.")),
    "mail": ("gosplan.commands.mail", N_("Mail: addresses, the outbox, sending, retries, digests.")),
    "plan": ("gosplan.commands.plan", N_("Plan making: draft, balance, compare, counter-plans, adopt.")),
    "potential": ("gosplan.commands.potential", N_("Potentiality: actuality, capability, what development adds.")),
    "projects": ("gosplan.commands.projects", N_("Construction projects: earned value, forecast end, status.")),
    "reserves": ("gosplan.commands.reserves", N_("Reserves: DEA efficiency, untapped output, peers.")),
    "review": ("gosplan.commands.review", N_("Write the review of plan fulfilment (HTML, PDF or Markdown).")),
    "risk": ("gosplan.commands.risk", N_("Weather risk to the grain target; measures ranked.")),
    "rules": ("gosplan.commands.rules", N_("Validation rules and min-max bounds: run, list, follow up.")),
    "serve": ("gosplan.commands.serve", N_("Serve the web pages and the REST API.")),
    "status": ("gosplan.commands.status:status_command",
              N_("Plan fulfilment to date: target, actual, %, rest of year.")),
    "template": ("gosplan.commands.files:template_command", N_("Write an import file with one example row.")),
    "tokens": ("gosplan.commands.tokens", N_("API tokens: create, revoke, list.")),
    "users": ("gosplan.commands.users", N_("Accounts: add, list, disable, enable, role, password, delete.")),
}


def load_command(name: str) -> Any:
    """The click command of ``name`` (importing its module); a stand-in saying what to install when an
    optional dependency of the module is missing."""
    target = COMMANDS[name][0]
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if not exc.name or exc.name.split(".")[0] == "gosplan":
            raise
        return _as_command(name, _unavailable(name, exc.name.split(".")[0]))
    found = getattr(module, attribute) if attribute else getattr(module, "app", None) or module.command
    if isinstance(found, typer.Typer):
        group = typer.main.get_group(found)
        group.name = name
        return translate_command(group)
    return translate_command(_as_command(name, found))


def _as_command(name: str, function: Any) -> Any:
    single = typer.Typer(add_completion=False)
    single.command(name)(function)
    command = typer.main.get_command(single)
    command.name = name
    return command


def _unavailable(name: str, missing: str):
    def command() -> None:
        raise GosplanError(_("`gosplan {name}` needs the package {missing}: pip install {missing}",
                             name=name, missing=missing))

    command.__doc__ = _("(unavailable here: needs {missing})", missing=missing)
    return command


class LazyGroup(TyperGroup):
    """The top-level group: commands from :data:`COMMANDS`, imported when they run, listed without importing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        self._loaded: dict[str, Any] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        if self._listing:  # the help listing: a stand-in carrying the one-line help, nothing imported
            line = gettext(COMMANDS[cmd_name][1])
            return TyperCommand(cmd_name, help=line, short_help=line)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = load_command(cmd_name)
        return self._loaded[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        translate_command(self)
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS and name not in self.commands:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            ctx.fail(_("No such command {name}. Did you mean {close}?", name=repr(name), close=repr(close[0]))
                     if close else _("No such command {name}.", name=repr(name)))
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="gosplan",
    cls=LazyGroup,
    help="Plan, balance, report, monitor and review an economy. Start with: gosplan demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"gosplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", callback=_show_version,
                                          is_eager=True)] = False,
    lang: Annotated[str | None, typer.Option(
        "--lang", metavar="LANG",
        help="Language of the output: en or ko (default: GOSPLAN_LANG, else en). Accepted after any command.")] = None,
) -> None:
    """Plan, balance, report, monitor and review an economy. Start with: gosplan demo"""
    if lang is not None:  # main() takes --lang off the line; this is for callers of the app itself
        try:
            choose(lang)
        except LanguageError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--lang'") from None


def _error(message: str, hint: str | None = None) -> None:
    typer.secho(_("error: "), fg="red", bold=True, err=True, nl=False)
    typer.echo(message, err=True)
    if hint:
        typer.echo(hint, err=True)


def _click_classes(name: str) -> tuple[type, ...]:
    """``name`` from every copy of click's exceptions in use (typer's own copy and click itself)."""
    classes = []
    for module in ("typer._click.exceptions", "click.exceptions", "typer.exceptions"):
        found = getattr(sys.modules.get(module), name, None)
        if isinstance(found, type):
            classes.append(found)
    return tuple(classes)


def _exit_code(exc: BaseException) -> int | None:
    """Print a usage or click error in one line (and a hint) and return its exit status; None for others."""
    if isinstance(exc, _click_classes("UsageError")):
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            return exc.exit_code  # type: ignore[attr-defined]
        ctx = getattr(exc, "ctx", None)
        hint = _("See: {command} --help", command=ctx.command_path) if ctx is not None else None
        if ctx is not None and ctx.parent is None and any(o in exc.format_message() for o in ("--db", "--format")):
            hint = _("Options such as --db and --format go after the command: "
                     "gosplan status --period 2023-06 --db URL")
        _error(translate_click_message(exc.format_message()), hint)  # type: ignore[attr-defined]
        return exc.exit_code  # type: ignore[attr-defined]
    if isinstance(exc, _click_classes("ClickException")):
        _error(translate_click_message(exc.format_message()))  # type: ignore[attr-defined]
        return exc.exit_code  # type: ignore[attr-defined]
    if isinstance(exc, _click_classes("Abort")):
        _error(_("aborted"))
        return 1
    if isinstance(exc, _click_classes("Exit")):
        return exc.exit_code  # type: ignore[attr-defined]
    if isinstance(exc, KeyboardInterrupt):
        _error(_("interrupted"))
        return 130
    return None


def _problems(exc: GosplanError) -> str:
    """A refused input (a file, a password) with its problems, in the reader's words."""
    from gosplan.errors import ValidationError
    from gosplan.ingest.wording import problems_text

    return problems_text(exc) if isinstance(exc, ValidationError) else str(exc)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user errors print one line and exit 1, usage errors exit 2; no tracebacks.

    ``--lang`` is taken off the line first (it may stand anywhere) and, with ``GOSPLAN_LANG``, sets the
    language of everything the command prints."""
    try:
        language, argv = pop_language(sys.argv[1:] if argv is None else list(argv))
        choose(language)
    except LanguageError as exc:
        _error(str(exc), _("See: gosplan --help"))
        sys.exit(2)
    if current_language() != "en":  # click's and typer's own words; English needs no patching (nor Rich)
        install_click_words()
    try:
        code = app(args=argv, prog_name="gosplan", standalone_mode=False)
    except GosplanError as exc:
        _error(_problems(exc) if getattr(exc, "problems", None) else str(exc))
        sys.exit(1)
    except BaseException as exc:  # usage errors of either copy of click, Abort, Ctrl-C
        status = _exit_code(exc)
        if status is None:
            raise
        sys.exit(status)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

"""The command line in the reader's language: ``--lang`` anywhere on the line, help texts and click's
own words through the catalogue.

``--lang`` is taken off the command line before any command is loaded, so that it works in every
position (``gosplan --lang ko status ...`` and ``gosplan status ... --lang ko``) and so that the help of
a command, built when its module is imported, is already in the chosen language.

>>> pop_language(["status", "--period", "2023-06", "--lang", "ko"])
('ko', ['status', '--period', '2023-06'])
>>> pop_language(["--lang=en", "status"])
('en', ['status'])
>>> pop_language(["status"])
(None, ['status'])
"""

from __future__ import annotations

import re
from typing import Any

from gosplan.i18n import N_, _, gettext

OPTION = "--lang"


class LanguageError(ValueError):
    """``--lang`` (or ``GOSPLAN_LANG``) names a language without a catalogue, or has no value."""


def pop_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """The value of ``--lang`` (the last one wins) and the command line without it."""
    rest: list[str] = []
    language: str | None = None
    args = iter(argv)
    for arg in args:
        if arg == "--":  # everything after -- is an argument, never an option
            rest.append(arg)
            rest.extend(args)
            break
        if arg == OPTION:
            value = next(args, None)
            if value is None or value.startswith("-"):
                raise LanguageError(_("option --lang needs a language: {choices}", choices=_choices()))
            language = value
        elif arg.startswith(OPTION + "="):
            language = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return language, rest


def _choices() -> str:
    from gosplan.i18n import LANGUAGES

    return ", ".join(LANGUAGES)


def choose(language: str | None) -> str:
    """Make ``language`` (else ``GOSPLAN_LANG``) the language of this run; a LanguageError naming the
    choices when there is no catalogue for it."""
    import os

    from gosplan.i18n import normalise, set_language

    wanted = language if language is not None else os.environ.get("GOSPLAN_LANG")
    try:
        code = normalise(wanted)
    except ValueError:
        source = "--lang" if language is not None else "GOSPLAN_LANG"
        raise LanguageError(_("{source}: no catalogue for language {language}; choose one of: {choices}",
                              source=source, language=repr(wanted), choices=_choices())) from None
    # Without --lang the context keeps following GOSPLAN_LANG (an in-process caller may change it later).
    set_language(code if language is not None else None)
    return code


def translate_command(command: Any) -> Any:
    """Translate the help of ``command`` (and of its subcommands and options) in place, into the current
    language (the English source is kept, so a command can be translated again into another one)."""
    for thing in (command, *getattr(command, "params", [])):
        for attribute in ("help", "short_help"):
            source = _source(thing, attribute)
            if source:
                setattr(thing, attribute, gettext(source))
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub)
    return command


def _source(thing: Any, attribute: str) -> str | None:
    """The English text of ``thing.attribute`` (remembered the first time it is translated)."""
    kept = f"_source_{attribute}"
    if not hasattr(thing, kept):
        text = getattr(thing, attribute, None)
        setattr(thing, kept, text if isinstance(text, str) and text else None)
    return getattr(thing, kept)


def install_click_words() -> None:
    """Route typer's own words (Options, Commands, required, default: ...) through the catalogue."""
    import typer.core

    typer.core._ = gettext  # type: ignore[attr-defined]  # typer binds gettext.gettext as _ at import
    from typer import rich_utils
    from typer._click import core, formatting

    for name, text in _RICH_WORDS.items():  # the help of commands drawn with Rich: panel titles, notes
        setattr(rich_utils, name, gettext(text))
    if not getattr(core.Command.get_help_option, "_gosplan", False):
        help_option = core.Command.get_help_option

        def get_help_option(self: Any, ctx: Any) -> Any:
            option = help_option(self, ctx)
            source = _source(option, "help") if option is not None else None
            if source:
                option.help = gettext(source)
            return option

        get_help_option._gosplan = True  # type: ignore[attr-defined]
        core.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    if not getattr(formatting.wrap_text, "_gosplan", False):
        wrap_text = formatting.wrap_text

        def wrap_by_cells(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
                          preserve_paragraphs: bool = False) -> str:
            if text.isascii():
                return wrap_text(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
            return cell_wrap(text, width, initial_indent, subsequent_indent)

        wrap_by_cells._gosplan = True  # type: ignore[attr-defined]
        formatting.wrap_text = wrap_by_cells  # type: ignore[assignment]
    original = formatting.HelpFormatter.write_usage
    if getattr(original, "_gosplan", False):
        return

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, gettext("Usage: ") if prefix is None else prefix)

    write_usage._gosplan = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]


def cell_wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """``text`` wrapped at spaces to ``width`` terminal cells (a Korean letter takes two), paragraphs kept.

    >>> print(cell_wrap("가나다 라마바 사아자", 10))
    가나다
    라마바
    사아자
    """
    from rich.cells import cell_len

    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        line = ""
        for word in paragraph.split():
            indent = initial_indent if not lines and not line else subsequent_indent
            candidate = f"{line} {word}" if line else word
            if line and cell_len(indent + candidate) > width:
                lines.append((initial_indent if not lines else subsequent_indent) + line)
                line = word
            else:
                line = candidate
        lines.append((initial_indent if not lines else subsequent_indent) + line)
        lines.append("")
    return "\n".join(lines[:-1])


#: Typer's words in the help drawn with Rich (module constants of typer.rich_utils, set once a run's
#: language is known).
_RICH_WORDS = {
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
}
_HELP_OPTION = N_("Show this message and exit.")

# click's usage errors, as (pattern, message): the message is the catalogue's, its placeholders the groups.
_CLICK_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing option '(?P<option>[^']+)'\.$"), N_("Missing option {option}.")),
    (re.compile(r"^No such option: (?P<option>\S+)$"), N_("No such option: {option}")),
    (re.compile(r"^No such option: (?P<option>\S+) Did you mean (?P<close>\S+)\?$"),
     N_("No such option: {option} (did you mean {close}?)")),
    (re.compile(r"^Option '(?P<option>[^']+)' requires an argument\.$"), N_("Option {option} requires a value.")),
    (re.compile(r"^Invalid value for '(?P<option>[^']+)': (?P<reason>.*)$", re.S),
     N_("Invalid value for {option}: {reason}")),
    (re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$"), N_("Unexpected extra arguments: {args}")),
    (re.compile(r"^No such command '(?P<name>[^']+)'\.$"), N_("No such command {name}.")),
    (re.compile(r"^No such command '(?P<name>[^']+)'\. Did you mean '(?P<close>[^']+)'\?$"),
     N_("No such command {name}. Did you mean {close}?")),
    (re.compile(r"^Missing command\.$"), N_("Missing command.")),
    (re.compile(r"^must be one of (?P<choices>.+), not (?P<value>.+)$"),
     N_("must be one of {choices}, not {value}")),
]


def translate_click_message(message: str) -> str:
    """A usage error of click in the reader's language (itself when it is not one click writes)."""
    from gosplan.i18n import LANGUAGES, current_language

    if current_language() == LANGUAGES[0]:
        return message
    for pattern, template in _CLICK_ERRORS:
        found = pattern.match(message)
        if found:
            values = dict(found.groupdict())
            if "reason" in values:
                values["reason"] = translate_click_message(values["reason"])
            return gettext(template).format(**values)
    return message


__all__ = ["LanguageError", "choose", "install_click_words", "pop_language", "translate_click_message",
           "translate_command"]

"""Languages: the one place where a message becomes the reader's words.

Engines return numbers and codes; the edges (command line, web pages, API errors, review) build
sentences through :func:`_` (and :func:`ngettext` where a count chooses the form), in the language of
the current reader. English is the source language; every other language is a gettext catalogue
under ``gosplan/i18n/locale/<lang>/LC_MESSAGES/<domain>.po`` (one domain per surface, so that people
translating the web pages and the review do not edit one file). All catalogues of a language are
merged into one lookup.

The language is chosen per call context (a ``contextvars`` variable, so each web request and each
thread has its own): :func:`use_language` sets it for a block, :func:`set_language` for the rest of the
context; the default comes from ``GOSPLAN_LANG`` and is English.

>>> from gosplan.i18n import _, use_language
>>> _("Plan fulfilment")
'Plan fulfilment'
>>> with use_language("ko"):
...     _("Plan fulfilment")
'계획 수행'
>>> with use_language("ko"):
...     _("{count} units lagging", count=3)
'뒤떨어진 단위 3개'
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

#: Languages with a complete catalogue; the first is the source language of the messages.
LANGUAGES: tuple[str, ...] = ("en", "ko")
#: Names of the languages in their own words, for the language switch.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ko": "한국어"}
#: A pseudo-language for tests: every translated message comes back marked, so that any English
#: left on a page or in a command's output is a message that does not pass through the catalogue.
PSEUDO = "qps"

LOCALE_DIR = Path(__file__).parent / "locale"

_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("gosplan_language", default=None)


def normalise(language: str | None) -> str:
    """The supported language code for ``language`` ("ko_KP.UTF-8", "ko-KR", "KO" -> "ko"); English
    when it is empty. Raises ValueError naming the choices for a language without a catalogue."""
    if not language:
        return LANGUAGES[0]
    code = language.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if code in LANGUAGES or code == PSEUDO:
        return code
    raise ValueError(f"no catalogue for language {language!r}; choose one of: {', '.join(LANGUAGES)}")


def default_language() -> str:
    """The language of ``GOSPLAN_LANG`` (English when unset, or when it names a language without a
    catalogue: the command line reports that once, and nothing else should fail on it)."""
    try:
        return normalise(os.environ.get("GOSPLAN_LANG"))
    except ValueError:
        return LANGUAGES[0]


def current_language() -> str:
    """The language of the current context: set by :func:`use_language`, else ``GOSPLAN_LANG``."""
    language = _language.get()
    return language if language is not None else default_language()


def set_language(language: str | None) -> str:
    """Make ``language`` the language of the current context (None: back to ``GOSPLAN_LANG``)."""
    code = normalise(language) if language else None
    _language.set(code)
    return code or default_language()


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak ``language`` inside the block (None keeps the current one)."""
    token = _language.set(normalise(language) if language else _language.get())
    try:
        yield current_language()
    finally:
        _language.reset(token)


@cache
def catalogue(language: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """Every translated message of ``language``: msgid -> text, and (singular, plural) -> plural forms."""
    from babel.messages.pofile import read_po  # only a reader of another language pays for Babel

    messages: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id or not message.string or message.fuzzy:
                    continue
                if isinstance(message.id, tuple | list):
                    messages[tuple(message.id)] = tuple(message.string)  # type: ignore[index]
                else:
                    messages[message.id] = message.string
    return messages


def _pseudo(text: str) -> str:
    return f"⟦{text}⟧"


def gettext(message: str) -> str:
    """``message`` in the current language (itself when the catalogue lacks it)."""
    language = current_language()
    if language == LANGUAGES[0]:
        return message
    if language == PSEUDO:
        return _pseudo(message)
    found = catalogue(language).get(message)
    return found if isinstance(found, str) else message


def _(message: str, /, **values: object) -> str:
    """``message`` in the current language, with ``{name}`` placeholders filled from ``values``.

    Placeholders are filled after translation, so a translation may move them (Korean puts the
    number before the noun).
    """
    text = gettext(message)
    return _fill(text, values) if values else text


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form of ``singular``/``plural`` that ``count`` takes, translated and filled
    (``count`` is available to the placeholders)."""
    language = current_language()
    if language == PSEUDO:
        text = _pseudo(singular if count == 1 else plural)
    elif language == LANGUAGES[0]:
        text = singular if count == 1 else plural
    else:
        forms = catalogue(language).get((singular, plural))
        if isinstance(forms, tuple) and forms:
            text = forms[0] if len(forms) == 1 else forms[0 if count == 1 else 1]
        else:
            text = singular if count == 1 else plural
    return _fill(text, {"count": count, **values})


def _fill(text: str, values: dict[str, object]) -> str:
    """Fill the placeholders; a Korean translation may name a particle in a placeholder's format
    spec (``{name:은}``), resolved by :mod:`gosplan.i18n.korean` after the value."""
    if current_language() == LANGUAGES[0]:
        return text.format(**values)
    from gosplan.i18n.korean import fill

    return fill(text, **values)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (module-level labels are
    translated with :func:`_` where they are shown)."""
    return message


__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "PSEUDO",
    "_",
    "catalogue",
    "current_language",
    "default_language",
    "gettext",
    "ngettext",
    "normalise",
    "set_language",
    "use_language",
]

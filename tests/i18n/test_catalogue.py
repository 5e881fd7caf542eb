"""The message catalogues: every message of the source has a Korean translation whose placeholders match."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from gosplan.i18n import LANGUAGES, LOCALE_DIR, _, catalogue, ngettext, normalise, use_language

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_translation_keeps_its_placeholders(language: str) -> None:
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                assert all(strings), f"{path.name}: {ids[0]!r} has no translation"
                expected = _fields(ids[-1])
                for text in strings:
                    assert _fields(text) == expected, f"{path.name}: {ids[0]!r} -> {text!r}: placeholders differ"


def test_translation_follows_the_context_and_fills_placeholders() -> None:
    assert _("{count} units lagging", count=3) == "3 units lagging"
    with use_language("ko"):
        assert _("{count} units lagging", count=3) == "뒤떨어진 단위 3개"
        assert ngettext("{count} unit lagging", "{count} units lagging", 3) == "뒤떨어진 단위 3개"
    assert _("Plan fulfilment") == "Plan fulfilment"


def test_language_codes_are_normalised_and_unknown_ones_named() -> None:
    assert normalise("ko_KP.UTF-8") == "ko"
    assert normalise("ko-KR") == "ko"
    assert normalise(None) == "en"
    with pytest.raises(ValueError, match="choose one of: en, ko"):
        normalise("fr")
    assert "Plan fulfilment" in catalogue("ko")

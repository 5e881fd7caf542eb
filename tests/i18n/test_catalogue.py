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


#: Forms of the northern usage (문화어) with their standard forms (표준어 규정, 두음법칙): the Korean catalogue
#: keeps one orthography. Names stored as data (평양시, 량강도, 련합기업소) follow the country they name.
NORTHERN_FORMS = {
    r"(?<![가-힣])리용": "이용", r"(?<![가-힣])리유": "이유", r"(?<![가-힣])로동": "노동",
    r"(?<![가-힣])로력": "노동력",
    r"(?<![가-힣])련": "연", r"(?<![가-힣])력사": "역사", r"(?<![가-힣])량": "양", r"(?<![가-힣])렬": "열",
    r"(?<![가-힣])례": "예", r"(?<![가-힣])랭": "냉", r"(?<![가-힣])년(말|도|초)": "연말/연도/연초",
    "되였": "되었", "자료기지": "데이터베이스", "수자": "숫자", "웨브": "웹", "페지": "페이지", "싸이트": "사이트",
    "봉사기": "서버", "기정": "기본값", "실례로": "예를 들어", "에네르기": "에너지",
}


@pytest.mark.parametrize("path", sorted((LOCALE_DIR / "ko" / "LC_MESSAGES").glob("*.po")), ids=lambda p: p.name)
def test_korean_follows_one_orthography(path) -> None:
    with path.open("rb") as handle:
        texts = [m.string if isinstance(m.string, str) else " ".join(m.string) for m in read_po(handle) if m.id]
    found = [(form, standard, text) for text in texts for form, standard in NORTHERN_FORMS.items()
             if re.search(form, text)]
    assert not found, f"{path.name}: northern forms, write the standard one: {found[:5]}"

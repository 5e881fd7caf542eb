"""Korean particles: the form of 은/는, 이/가, 을/를, 과/와, 으로/로 that follows a word or a number.

A Korean particle has two forms, chosen by the sound the word before it ends in: after a final
consonant (batchim) "석탄은", after a vowel "전력은"; 으로/로 takes 로 after a vowel and after ㄹ.
Numbers are read aloud (3 "삼" ends in ㅁ, 2 "이" in a vowel, 10 "십" in ㅂ), and so are the symbols
of units and the percent sign ("t" is "톤", "kWh" is "킬로와트시", "%" is "퍼센트").

Translators write whole sentences and name the particle in the placeholder's format spec; the
message is filled by :func:`fill` (through :func:`gosplan.i18n._`), so ``{name:은}`` becomes
"석탄은" or "전력은" and ``{amount:이}`` "1,720만 t이" (톤이):

>>> fill("{name:은} {share:으로} 늘었다", name="석탄", share="104 %")
'석탄은 104 %로 늘었다'
>>> fill("{name:이} 뒤떨어졌다", name="전력")
'전력이 뒤떨어졌다'
>>> particle("1,720만 t", "을"), particle("3", "와"), particle("10", "로"), particle("평양", "로")
('을', '과', '으로', '으로')
"""

from __future__ import annotations

import re
import string

# The two forms of each particle: (after a final consonant, after a vowel).
PAIRS: tuple[tuple[str, str], ...] = (("은", "는"), ("이", "가"), ("을", "를"), ("과", "와"), ("으로", "로"),
                                      ("이나", "나"), ("이라", "라"), ("이다", "다"))
_PAIR_OF = {form: pair for pair in PAIRS for form in pair}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the index of ㄹ among the final consonants

# How the last digit of a number is read: its final consonant index (0: ends in a vowel).
# 영 ㅇ, 일 ㄹ, 이, 삼 ㅁ, 사, 오, 육 ㄱ, 칠 ㄹ, 팔 ㄹ, 구
_DIGIT_FINALS = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}
# A whole number ending in zeros is read by its place: 십 ㅂ, 백 ㄱ, 천 ㄴ, 만 ㄴ (then 십만, 백만, 천만, 억 ㄱ).
_PLACE_FINALS = {1: 17, 2: 1, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4, 8: 1}

# Unit symbols and signs as they are read aloud, by their final sound (0: a vowel).
_SPOKEN_FINALS = {
    "%": 0,        # 퍼센트
    "t": 4,        # 톤
    "kt": 4,       # 킬로톤
    "mt": 4,       # 메가톤
    "t-km": 0,     # 톤킬로미터
    "kwh": 0,      # 킬로와트시
    "mwh": 0, "gwh": 0, "twh": 0, "wh": 0,
    "ha": 0,       # 헥타르
    "m²": 0, "m³": 0, "m": 0, "km": 0,  # 제곱미터, 세제곱미터, 미터, 킬로미터
    "won": 4,      # 원
    "pp": 0,       # 퍼센트포인트
}

# Latin letters at the end of a word, read the English way: consonant endings take the first form.
_LATIN_CONSONANT_END = re.compile(r"(?:[lmnrbkpgt]|ng|ck)$", re.IGNORECASE)

_TRAILING = re.compile(r"[\s)\]’'\"»›.,;:]+$")
_PARENTHESIS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]$")


def final_sound(word: str) -> int | None:
    """The final consonant index (0 for a vowel, 8 for ㄹ) of the last sound of ``word`` as read aloud;
    ``None`` when it cannot be told (an empty word, a dash).

    >>> final_sound("석탄"), final_sound("전력"), final_sound("강철"), final_sound("수도")
    (4, 1, 8, 0)
    >>> final_sound("104 %"), final_sound("1,720만 t"), final_sound("2023"), final_sound("20")
    (0, 4, 16, 17)
    >>> final_sound("평양시 (12 %)"), final_sound("–") is None
    (0, True)
    """
    text = _TRAILING.sub("", str(word))
    while _PARENTHESIS.search(text):  # a parenthesis is read after the particle's word: "석탄(12 %)은"
        stripped = _TRAILING.sub("", _PARENTHESIS.sub("", text))
        if not stripped:
            break
        text = stripped
    if not text:
        return None
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    token = text.split()[-1].lower()
    if token in _SPOKEN_FINALS:
        return _SPOKEN_FINALS[token]
    if last.isdigit():
        return _number_final(text)
    if last == "%":
        return 0
    if last.isascii() and last.isalpha():
        return 4 if _LATIN_CONSONANT_END.search(token) else 0
    return None


def _number_final(text: str) -> int:
    number = re.search(r"[\d,]*\.?\d+$", text)
    digits = number.group(0).replace(",", "") if number else text[-1]
    if "." in digits:
        return _DIGIT_FINALS[digits[-1]]
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    if zeros and stripped:
        return _PLACE_FINALS.get(zeros, 4 if zeros < 8 else 1)
    return _DIGIT_FINALS[digits[-1]]


def particle(word: object, form: str) -> str:
    """The form of the particle ``form`` (either of its forms: "은" or "는") that follows ``word``;
    both forms, "을(를)", when the word's last sound cannot be told.

    >>> particle("석탄", "는"), particle("전력", "으로"), particle("강철", "으로"), particle("–", "을")
    ('은', '으로', '로', '을(를)')
    """
    consonant, vowel = _PAIR_OF[form]
    final = final_sound(str(word))
    if final is None:
        return f"{consonant}({vowel})"
    if consonant == "으로":
        return vowel if final in (0, _RIEUL) else consonant
    return vowel if final == 0 else consonant


def with_particle(word: object, form: str) -> str:
    """``word`` followed by the right form of the particle: ``with_particle("석탄", "를") == "석탄을"``."""
    return f"{word}{particle(word, form)}"


class _ParticleFormatter(string.Formatter):
    """str.format where a format spec naming a particle ("{name:은}") appends the particle's right form."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec in _PAIR_OF:
            return with_particle(value, format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = _ParticleFormatter()


def fill(message: str, /, **values: object) -> str:
    """``message.format(**values)``, with particle specs (``{name:을}``) resolved after each value."""
    return _FORMATTER.format(message, **values)


__all__ = ["PAIRS", "fill", "final_sound", "particle", "with_particle"]

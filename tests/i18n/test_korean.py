"""Korean particles after words, numbers and unit symbols, and the placeholder convention of the catalogues."""

from __future__ import annotations

import pytest

from gosplan.i18n import _, ngettext, use_language
from gosplan.i18n.korean import fill, final_sound, particle


@pytest.mark.parametrize(("word", "form", "expected"), [
    ("석탄", "은", "은"), ("전력", "는", "은"), ("시멘트", "은", "는"),            # batchim or a vowel
    ("평양", "로", "으로"), ("강철", "으로", "로"), ("수도", "으로", "로"),        # ㄹ takes 로 as a vowel does
    ("1", "을", "을"), ("2", "을", "를"), ("3", "이", "이"), ("4", "가", "가"),     # 일, 이, 삼, 사
    ("10", "과", "과"), ("100", "와", "과"), ("1,000", "와", "과"), ("20", "로", "으로"),  # 십, 백, 천, 이십
    ("2.5", "이", "가"), ("1.7", "로", "로"),                                       # 이점오, 일점칠 (ㄹ)
    ("104 %", "이", "가"), ("1,720만 t", "을", "을"), ("239억 kWh", "이", "가"),    # 퍼센트, 톤, 킬로와트시
    ("35 ha", "을", "를"), ("3억 t-km", "은", "는"),                              # 헥타르, 톤킬로미터
    ("평양시 (12 %)", "은", "는"), ("Coal", "을", "을"), ("Kaesong", "이", "이"),  # parenthesis; Latin ending
])
def test_particle_follows_the_last_sound_as_read_aloud(word, form, expected):
    assert particle(word, form) == expected


def test_a_word_whose_sound_cannot_be_told_gets_both_forms():
    assert particle("–", "을") == "을(를)"
    assert final_sound("") is None


def test_translations_name_particles_in_placeholders_and_english_is_untouched():
    assert fill("{name:은} {amount:을} 생산하였다", name="전력", amount="1,720만 t") == "전력은 1,720만 t을 생산하였다"
    assert fill("{share:.1%}", share=0.25) == "25.0%"  # an ordinary format spec still works
    assert _("{count} units lagging", count=3) == "3 units lagging"
    with use_language("ko"):
        assert ngettext("{count} unit lagging", "{count} units lagging", 1) == "뒤떨어진 단위 1개"
        # a review sentence whose translation names particles: 은/는 after the sector, 을/를 after the amount
        text = _("{name} over-fulfilled the {period} plan ({fulfilment}): a direct change of {direct} million won, "
                 "a total effect on its output of {total} million won ({share}); its output still rises.",
                 name="전력", period="2023년 상반기", fulfilment="101.1 %", direct="+14,404", total="+1",
                 share="+0.1 %")
        assert text.startswith("전력은 2023년 상반기 계획을 넘쳐 수행하였다")
        text = _("Grain and weather: the probability of meeting the annual grain target of {target} is "
                 "{probability}; expected output {expected}, expected shortfall {shortfall}.",
                 target="490만 t", probability="< 1 %", expected="453만 t", shortfall="37만 t")
        assert "연간 알곡 과제 490만 t을 수행할 확률은 < 1 %이다" in text


def test_review_periods_in_korean_with_the_juche_year_on_request(monkeypatch):
    from gosplan.review.document import review_title
    from gosplan.review.stocktake import window_name

    with use_language("ko"):
        assert review_title("2023-H1") == "2023년 상반기 계획 수행 총화"
        assert review_title("2023-Q2") == "2023년 2분기 계획 수행 총화"
        assert window_name("2023-01..2023-06") == "2023년 1월–6월"
        monkeypatch.setenv("GOSPLAN_JUCHE", "1")
        assert review_title("2023-H1") == "주체112(2023)년 상반기 계획 수행 총화"
        assert window_name("2023-06..2023-06") == "주체112(2023)년 6월"
    assert review_title("2023-H1") == "Review of plan fulfilment, first half of 2023 (Juche 112)"
    monkeypatch.delenv("GOSPLAN_JUCHE")
    assert review_title("2023-H1") == "Review of plan fulfilment, first half of 2023"
    assert window_name("2023-01..2023-06") == "January–June 2023"

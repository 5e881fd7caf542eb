"""Months inside action-plan sentences follow the reader's language (no English month names in Korean)."""

from gosplan.i18n import use_language
from gosplan.service.action_words import action_sentence, milestones_line, month_words

MILESTONES = [{"month": "2023-07", "planned": 512, "uom": "dwelling", "path": 600},
              {"month": "2023-08", "planned": 1024, "uom": "dwelling", "path": 1200}]
IRRIGATION = {"unit": "farm", "uom": "t", "measure": "irrigate", "indicator": "grain", "effect": 100,
              "resource": {"schedule": {"2023-09": 348}, "measure": "drainage", "hazard": "flood",
                           "protects": "grain", "shortfall_reduction": 50}}


def test_english_months_stay_as_they_were() -> None:
    assert month_words("2023-12") == "end of December 2023"
    assert milestones_line(MILESTONES, "2023-06").startswith("Milestones, output since July: Jul 512 dwellings, Aug ")
    assert "(348 ha in September)" in action_sentence(IRRIGATION, {})


def test_korean_months_are_written_the_korean_way() -> None:
    with use_language("ko"):
        assert month_words("2023-12") == "2023년 12월 말"
        assert milestones_line(MILESTONES, "2023-06").startswith("단계 목표(7월 이후 생산): 7월 512 세대, 8월 ")
        assert "(9월 348 ha)" in action_sentence(IRRIGATION, {})

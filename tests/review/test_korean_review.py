"""The review in Korean: headings, sentences and tables from the catalogue, quantities in 만/억, alerts in the
reader's language, and a PDF whose text is Korean with every glyph in an embedded font."""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
import unicodedata

import pytest

from gosplan.i18n import use_language
from gosplan.review import build_review, render_html
from gosplan.review.export import find_chromium, render_markdown, write_pdf
from gosplan.service import Service

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def korean(sqlite_demo, tmp_path_factory):
    """The demo's 2023-H1 review built and rendered in Korean (the session's demo store, copied)."""
    from webenv import copy_sqlite

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("korean") / "demo.db")
    service = Service.open(url)
    with use_language("ko"):
        review = build_review(service, "2023-H1")
        html = render_html(review, embed_plotly=False)
        markdown = render_markdown(review)
    return service, review, html, markdown


def test_headings_and_page_one_are_korean(korean):
    _, review, html, markdown = korean
    assert review.title == "2023년 상반기 계획 수행 총화"
    assert '<html lang="ko">' in html and '"Noto Sans CJK KR"' in html
    for heading in ("종합 평가: 2023년 1월–6월 계획", "부록 A. 부문별 계획 수행", "주요 지표", "연말 예측과 경보",
                    "알곡 과제에 대한 날씨 위험", "행동 계획", "분석이 제안한 행동", "전원회의에 제기하는 결정"):
        assert heading in markdown, heading
    ratings = {line.rating for line in review.stocktake.lines}
    assert ratings and all(re.search(rf"\*\*{word}\*\*", markdown) for word in
                           [{"red": "적색", "amber": "황색", "green": "녹색"}[r] for r in ratings])


def test_every_title_lead_and_sentence_is_translated(korean):
    _, review, _, _ = korean
    for section in review.sections:
        assert HANGUL.search(section.title), section.title
        assert not section.lead_text or HANGUL.search(section.lead_text), section.lead_text
        for line in section.summary:
            assert HANGUL.search(line), (section.key, line)
    for line in review.stocktake.headline + [ln.statement for ln in review.stocktake.lines]:
        assert HANGUL.search(line), line


def test_prose_counts_in_man_and_eok_while_tables_keep_their_units(korean):
    _, review, _, _ = korean
    sectors = " ".join(review.section("sectors").summary)
    assert re.search(r"\d[\d,.]*만 t", sectors), sectors       # e.g. "38.3만 t 많음"
    assert re.search(r"\d[\d,.]*억 kWh", sectors), sectors     # e.g. "3.1억 kWh"
    assert not re.search(r"\d (kt|Mt|GWh|TWh)\b", sectors)
    risk = review.section("risk").summary[0]
    assert re.search(r"연간 알곡 과제 \d[\d,.]*만 t을 수행할 확률은", risk), risk  # the particle after "t" (톤)


def test_stored_alerts_are_rendered_in_the_readers_language(korean):
    from gosplan.service.alerts import alert_messages, list_alerts

    service, _, html, _ = korean
    alerts = list_alerts(service, open_only=True).head(5)
    assert len(alerts)
    assert all(not HANGUL.search(m) for m in alerts["message"])  # stored once, in the source language
    with use_language("ko"):
        shown = alert_messages(service, alerts)
    assert all(HANGUL.search(m) for m in shown), shown
    assert html_module.escape(shown[0]) in html
    assert alert_messages(service, alerts) == list(alerts["message"])  # English readers get the stored text


def test_english_review_is_unchanged_by_the_catalogue(korean):
    service, _, _, _ = korean
    review = build_review(service, "2023-H1", only=["sectors"])
    assert review.title == "Review of plan fulfilment, first half of 2023"
    assert review.section("sectors").title == "Fulfilment by sector"
    assert not any(HANGUL.search(line) for line in review.section("sectors").summary)


def _cmap_of(family: str) -> set[int]:
    from fontTools.ttLib import TTCollection, TTFont

    found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", family], capture_output=True, text=True).stdout
    path, _, index = found.partition(":")
    font = TTCollection(path).fonts[int(index or 0)] if path.endswith(".ttc") else TTFont(path)
    return set(font.getBestCmap())


@pytest.mark.skipif(find_chromium() is None or shutil.which("pdftotext") is None or shutil.which("fc-match") is None,
                    reason="the PDF check needs headless Chromium, poppler-utils and fontconfig")
def test_korean_pdf_has_its_headings_no_replacement_characters_and_every_glyph_embedded(korean, tmp_path):
    _, review, _, _ = korean
    with use_language("ko"):
        path = write_pdf(review, tmp_path / "review-ko.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("2023년 상반기 계획 수행 총화", "종합 평가", "부록 A.", "부문별 계획 수행", "연말 예측과 경보"):
        assert heading in text, heading
    assert "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # every font embedded ("emb" column)
    # No tofu: every Korean character printed is a glyph of the font the page names first (Noto Sans CJK KR,
    # Debian's fonts-noto-cjk), so Chromium never falls back to a box.
    korean_font = _cmap_of("Noto Sans CJK KR")
    printed = {ch for ch in text if ord(ch) > 0x2000 and not unicodedata.category(ch).startswith("Z")}
    missing = sorted(ch for ch in printed if ord(ch) not in korean_font)
    assert not missing, missing


def test_pseudo_language_marks_every_heading_header_and_sentence(korean):
    """Any text that does not pass through the catalogue shows up unmarked in the pseudo-language."""
    service, _, _, _ = korean
    with use_language("qps"):
        review = build_review(service, "2023-H1", only=["sectors", "indicators", "league", "plan", "not_reported"])
    for section in review.sections:
        assert section.title.startswith("⟦"), section.title
        assert not section.lead_text or section.lead_text.startswith("⟦"), section.lead_text
        for line in section.summary:
            assert "⟦" in line, line
        headers = re.findall(r"<th[^>]*>([^<]*)</th>", section.body_html)
        names = set(service.indicators()["name"])  # the league table heads a column per indicator
        unmarked = [h for h in headers if h and h != "#" and "⟦" not in h and h not in names]
        assert not unmarked, (section.key, unmarked)
        for heading in re.findall(r"<h3>([^<]*)</h3>", section.body_html):
            assert "⟦" in heading, heading


def test_action_titles_and_checks_are_made_again_in_korean(korean):
    from gosplan.review.sections.actions import action_text

    _, review, html, _ = korean
    proposals = review.section("action_proposals").tables["proposals"]
    assert len(proposals)
    origins = set()
    for _, row in proposals.iterrows():
        # the proposer's English template (names in it follow the language the proposals were made in)
        assert re.match(r"[A-Z][a-z]+ ", row["title"]), row["title"]
        with use_language("ko"):
            title, check = action_text(row, "title"), action_text(row, "check")
        assert HANGUL.search(title) and HANGUL.search(check), (title, check)
        assert html_module.escape(title) in html
        assert action_text(row, "title") == row["title"]  # English readers get the stored text
        origins.add(row["origin"])
    assert len(origins) >= 4, origins  # every kind of proposer the demo raises is worded

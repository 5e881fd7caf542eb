"""The review's balance section (order 55) on the demo: its sentences print the numbers of its tables."""

from __future__ import annotations

import re

import pytest

from gosplan.review import build_review
from gosplan.review.export import html_to_markdown
from gosplan.review.sentences import numbers_in
from gosplan.service import Service


@pytest.fixture(scope="module")
def section(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    review = build_review(service, "2023-H1", only=["balance"])
    assert review.sections[0].order == 55  # after forecasts, before projects (60)
    return review.section("balance")


def _tables(section) -> list[dict[str, list[str]]]:
    """The section's tables as printed (linkages, implications, bottlenecks): rows by their first cell."""
    out = []
    for part in section.body_html.split("<table")[1:]:
        lines = [line for line in html_to_markdown("<table" + part.split("</table>")[0] + "</table>").splitlines()
                 if line.startswith("| ")]
        rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]
        out.append({row[0]: row for row in rows})
    return out


def test_every_number_in_the_summary_is_in_the_section(section):
    text = html_to_markdown(section.body_html)
    assert len(section.summary) >= 3
    for sentence in section.summary:
        for number in numbers_in(sentence):
            assert number in text, (number, sentence)


def test_sentences_equal_their_table_rows(section):
    linkages, rows, bottlenecks = _tables(section)
    effects = section.tables["implications"]
    coal = next(s for s in section.summary if s.startswith("Coal mining over-fulfilled"))
    match = re.match(r"Coal mining over-fulfilled the 2023-H1 plan \(([\d.]+ %)\): a direct change of ([+\-][\d,]+) "
                     r"million won, a total effect on its output of ([+\-][\d,]+) million won \(([+\-][\d.]+ %)\); "
                     r"the shortfalls elsewhere more than absorb it\.$", coal)
    assert match, coal
    fulfilment, direct, total, share = match.groups()
    row = rows["Coal mining"]
    assert row[1:3] == [fulfilment, direct] and row[4:6] == [total, share]
    assert float(direct.replace(",", "")) == pytest.approx(effects.loc["coal", "direct_change"], abs=0.5)
    # The bottleneck sentence names every binding constraint with the shadow price of its table row.
    binding = section.tables["binding"]
    sentence = next(s for s in section.summary if s.startswith("Balanced within"))
    printed = [row for key, row in bottlenecks.items() if key != "Constraint" and not key.startswith("-")]
    assert len(printed) == len(binding) >= 3
    for name, _limit, price in printed:
        assert f"{name} ({price})" in sentence
    assert len(re.findall(r"\(\d+\.\d{3}\)", sentence)) == len(binding)
    key = section.summary[0]
    assert key.startswith("Key sectors (both linkages above average): Metallurgy")
    metallurgy = linkages["Metallurgy (ferrous and non-ferrous)"]
    assert f"({metallurgy[1]} backward, {metallurgy[2]} forward)" in key


def test_body_has_the_linkage_chart_and_three_tables(section):
    assert section.body_html.count("<table") == 3
    assert "backward linkage index" in section.body_html
    assert set(section.tables) >= {"linkages", "implications", "binding", "plan"}

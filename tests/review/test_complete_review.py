"""The complete review on the demo: new sections, numbers in the text equal to the tables, md and pdf."""

import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.review import build_review, render_html
from gosplan.review.export import find_chromium, html_to_markdown, render_markdown, write_pdf
from gosplan.review.sentences import numbers_in, sector_sentence
from gosplan.service import Service


@pytest.fixture(scope="module")
def review(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return build_review(service, "2023-H1")


def _rows(section) -> list[list[str]]:
    """The section's tables as printed: rows of cell texts (via the Markdown converter)."""
    lines = [line for line in html_to_markdown(section.body_html).splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def _numbers(cells: list[str]) -> set[str]:
    return {n.lstrip("+−-") for cell in cells for n in numbers_in(cell)}


def test_complete_review_has_every_section_in_order(review):
    keys = [s.key for s in review.sections]
    for key in ("sectors", "projects", "risk", "actions", "not_reported"):
        assert key in keys
    assert keys.index("projects") < keys.index("risk") < keys.index("actions") < keys.index("not_reported")


def test_every_number_of_a_sector_sentence_is_in_its_table_row(review):
    section = review.section("sectors")
    rows = {row[0]: row for row in _rows(section)}
    assert section.summary
    for sentence in section.summary:
        name = sentence.split(": ", 1)[0]
        printed = _numbers(rows[name])
        for number in numbers_in(sentence.split(": ", 1)[1]):
            assert number.lstrip("−-") in printed, (number, sentence, rows[name])
    coal = next(s for s in section.summary if s.startswith("Coal mining"))
    # lagging and at risk are counted apart, as the status column classes them
    assert re.match(r"Coal mining: 104 % of the half-year plan, [\d.]+ kt more than a year ago \(same units\); "
                    r"\d+ of \d+ units lagging and \d+ at risk, together [\d.]+ kt short; probability of meeting "
                    r"the annual target (> 99 %|< 1 %|\d+ %)\.$", coal)


def test_project_sentences_equal_the_project_tables(review):
    section = review.section("projects")
    rows = _rows(section)
    header = rows[0]
    projects = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:] if len(row) == len(header)}
    behind, dwellings, *quality = section.summary
    # Project records against the builders' reports: one sentence per finding of the year, both numbers.
    deliveries = section.tables["deliveries"]
    assert len(quality) == len(deliveries)
    for line, row in zip(quality, deliveries.itertuples(), strict=True):
        assert line.startswith(f"Data quality: {row.project_names} record {row.delivered:,.0f} dwellings delivered "
                               f"in {row.period}; the builder ({row.unit_name}) reported {row.reported:,.0f}")
    match = re.match(r"Construction: (\d+) of (\d+) projects behind schedule: (.*)\. Ahead: (.*)\.$", behind)
    assert match, behind
    assert int(match[2]) == len(projects)
    items = re.findall(r"(.+?) (late|slipping) \(SPI\(t\) ([\d.]+), forecast end (\d{4}-\d\d) against "
                       r"(\d{4}-\d\d)\)(?:; |$)", match[3])
    assert len(items) == int(match[1]) == sum(p["Status"] in ("late", "slipping") for p in projects.values())
    for name, status, spi_t, forecast, planned in items:
        row = projects[name]
        assert (row["Status"], row["SPI(t)"], row["Forecast end (range)"][:7], row["Planned end"]) == \
            (status, spi_t, forecast, planned)
    for item in match[4].split("; "):
        ahead = re.fullmatch(r"(.+) \(SPI\(t\) ([\d.]+)\)", item)
        assert ahead and projects[ahead[1]]["SPI(t)"] == ahead[2]
    national = next(row for row in rows if row[0] == "Democratic People's Republic of Korea")
    expected, low, target = re.search(r"expected in 2023: ([\d,]+ dwellings) \(at least ([\d,]+ dwellings)\) "
                                      r"against the national target of ([\d,]+ dwellings)", dwellings).groups()
    assert (expected, low, target) == (national[3], national[4], national[5])


def test_risk_sentences_equal_the_risk_tables(review):
    section = review.section("risk")
    headline = section.tables["risk"].set_index("label")["value"]
    main, best = section.summary
    match = re.search(r"annual grain target of (\S+ \S+) is (.+?) after the .* \(estimated loss (\S+ \S+)\); "
                      r"expected output (\S+ \S+), expected shortfall (\S+ \S+)\.$", main)
    assert match, main
    assert match.groups() == (headline["Annual grain target"], headline["P(target met)"],
                              headline["Loss to the weather observed so far"], headline["Expected output"],
                              headline["Expected shortfall"])
    first = next(row for row in _rows(section) if row[0] == "1")
    assert f"{first[1]} ({first[4]} less expected shortfall)" in best


def test_without_a_definite_plan_the_action_section_says_how_to_make_one_and_shows_ten_proposals(review):
    section, annex = review.section("actions"), review.section("action_proposals")
    proposals = annex.tables["proposals"]
    line = section.summary[0]
    assert line.startswith(f"No definite action plan for 2023-H1 yet: the engines propose {len(proposals)} actions")
    for origin, count in proposals["origin"].value_counts().items():
        words = {"laggards": "to close gaps", "projects": "to recover project", "risk": "against weather",
                 "forecast": "to raise the monthly rate", "reserves": "to learn from peers",
                 "balance": "to relieve binding capacities"}[origin]
        assert f"{count} {words}" in line
    assert "gosplan actions plan propose --period 2023-H1" in section.body_html
    shown = [row for row in _rows(section) if row[0].isdigit()]
    assert len(proposals) > 10 and len(shown) == 10
    assert len({proposals.set_index("id").loc[int(row[0]), "origin"] for row in shown}) == \
        proposals["origin"].nunique()  # each engine's first proposal is among them
    # The annex holds every proposal, one line each.
    assert sorted(int(row[0]) for row in _rows(annex)[1:]) == sorted(proposals["id"])


def test_risk_text_names_the_observed_episode(review):
    text = " ".join(review.section("risk").summary)
    assert "drought in South Hwanghae observed to 2023-06" in text and "probability" in text


def test_sentence_includes_the_probability_only_when_a_forecast_provides_one():
    without = sector_sentence("Coal", "half-year", 1.04, 3.0e5, "t", lagging=3, units=14, shortfall=8.5e4)
    with_p = sector_sentence("Coal", "half-year", 1.04, 3.0e5, "t", lagging=3, units=14, shortfall=8.5e4,
                             probability=0.8123)
    assert "probability" not in without
    # printed as everywhere else: a whole percentage ("< 1 %" and "> 99 %" at the ends)
    assert with_p == without[:-1] + "; probability of meeting the annual target 81 %."


def test_markdown_has_tables_and_text_but_no_charts(review):
    text = render_markdown(review)
    assert text.startswith("# Review of plan fulfilment, first half of 2023")
    assert re.search(r"^## Annex [A-Z]\. Construction projects$", text, re.M)
    assert re.search(r"^## Annex [A-Z]\. Weather risk to the grain target$", text, re.M)
    assert "| Project | Builder | Done |" in text
    assert "Plotly" not in text and "<div" not in text and "<script" not in text and ".png" not in text
    for line in review.summary:  # each annex's findings under its lead
        assert f"- {line}" in text


def test_html_has_the_s_curves_and_the_distribution(review):
    page = render_html(review, embed_plotly=False)
    assert page.count("Plotly.newPlot") >= 3
    assert "earned value (EV)" in page and "national grain output in the year" in page


@pytest.mark.skipif(find_chromium() is None and shutil.which("chromium") is None,
                    reason="PDF route not installed: /usr/bin/chromium (headless Chromium) is missing")
def test_pdf_through_headless_chromium(review, tmp_path):
    path = write_pdf(review, tmp_path / "review.pdf")
    data = path.read_bytes()
    assert data[:4] == b"%PDF" and len(data) > 50_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


def test_pdf_without_chromium_says_how_to_get_it(review, tmp_path, monkeypatch):
    from gosplan.errors import GosplanError

    monkeypatch.setenv("GOSPLAN_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(GosplanError, match=r"headless Chromium.*apt install chromium"):
        write_pdf(review, tmp_path / "r.pdf")


@given(fulfilment=st.floats(0.2, 2.0), change=st.floats(-5e6, 5e6), units=st.integers(1, 60),
       lag_share=st.floats(0, 1), shortfall=st.floats(0, 1e7), uom=st.sampled_from(["t", "kWh", "dwelling", "m**3"]))
@settings(max_examples=60, deadline=None)
def test_property_sentence_numbers_are_the_table_cells(fulfilment, change, units, lag_share, shortfall, uom):
    from gosplan.review.format import pct, qty

    lagging = round(lag_share * units)
    sentence = sector_sentence("Sector", "half-year", fulfilment, change, uom, lagging=lagging, units=units,
                               shortfall=shortfall)
    cells = [pct(fulfilment), qty(abs(change), uom), str(lagging) if lagging else "", str(units)]
    cells += [qty(shortfall, uom)] if lagging else []
    assert numbers_in(sentence) == [n for cell in cells for n in numbers_in(cell)]


def test_markdown_escapes_pipes_and_drops_scripts():
    fragment = ('<p>Note | one</p><table class="table"><thead><tr><th>A</th><th>B</th></tr></thead><tbody>'
                '<tr><td>x | y</td><td>1</td></tr></tbody></table><div class="plotly-graph-div"><script>'
                "Plotly.newPlot()</script></div><h3>Next</h3><p>text</p>")
    # Headings sit one level below the annex's (## Annex B. ...); the chart is left out without images.
    assert html_to_markdown(fragment) == "Note | one\n\n| A | B |\n|---|---|\n| x \\| y | 1 |\n\n#### Next\n\ntext\n"

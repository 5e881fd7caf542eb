"""The mid-year review document on the demo economy."""

import re

import pytest

from gosplan.review import build_review, render_html
from gosplan.review.terminal import shown_pct
from gosplan.service import Service


@pytest.fixture(scope="module")
def review_and_service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    service.load_demo(2023)
    return build_review(service, "2023-H1"), service


def test_sections_in_order(review_and_service):
    review, _ = review_and_service
    keys = [s.key for s in review.sections]
    foundation = ["sectors", "indicators", "league", "leaders", "charts", "not_reported"]
    # Later capabilities (projects, risk, the action plan) insert their sections between charts and
    # the units that have not reported, which stays last.
    assert [k for k in keys if k in foundation] == foundation and keys[-1] == "not_reported"
    assert review.title == "Review of plan fulfilment, first half of 2023"


def test_summary_numbers_equal_the_tables(review_and_service):
    review, _ = review_and_service
    sectors = review.section("sectors").tables["sectors"].set_index("sector_name")
    for line in review.section("sectors").summary:
        name, rest = line.split(": ", 1)
        # as many decimals as the status class needs (94.7 % lagging, never "95 %")
        row = sectors.loc[name]
        assert rest.startswith(shown_pct(row["fulfilment"], row["fulfilment_digits"]))
    assert any(line.startswith("Coal mining: 104 %") for line in review.summary)
    assert any(line.startswith("Electric power: 101 %") for line in review.summary)


def test_html_is_self_contained_and_has_every_section(review_and_service):
    review, _ = review_and_service
    page = render_html(review)
    for section in review.sections:
        assert f'data-section="{section.key}"' in page
    assert "Plotly.newPlot" in page
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is inline: the page works offline
    assert len(re.findall(r"<table", page)) >= 5
    assert "Units that have not reported" in page


def test_hostile_names_are_escaped(review_and_service):
    _, service = review_and_service
    units = service.units()
    victim = units[units["kind"].eq("province")]["code"].iloc[0]
    import pandas as pd

    hostile = units[units["code"].eq(victim)].assign(name='<script>alert("x")</script> & Co')
    service.store.write_units(pd.DataFrame(hostile))
    service.invalidate()
    page = render_html(build_review(service, "2023-H1", only=["league"]))
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(" in page

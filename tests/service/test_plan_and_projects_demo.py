"""Projects reconciled with reports, plan tautness, five-year progress and readable action checks, on the demo.

Before: project records said Hwasong phase 1 delivered 10,000 flats in April 2023 while the builder's
reports gave 2,957 dwellings in H1, and nothing said so; no target was set against the record; the
five-year plan had no 2025 targets; actions read "energy per unit towards 1.5e+03".
"""

import pytest

from clienv import run_cli
from gosplan.review import build_review
from gosplan.service import Service
from gosplan.service.actions import propose_actions
from gosplan.service.forecasts import forecast
from gosplan.service.plan_checks import beyond_history, five_year_progress, tautness
from gosplan.service.projects import delivery_findings

AS_OF = "2023-06"


@pytest.fixture(scope="module")
def url(new_store_url):
    url = new_store_url("sqlite")
    Service.open(url).load_demo(2023)
    return url


@pytest.fixture(scope="module")
def service(url):
    return Service.open(url)


def test_hwasong_deliveries_against_the_builders_reports(service, url):
    found = delivery_findings(service, AS_OF).set_index(["project_names", "period"])
    hwasong = found.loc[("Hwasong district phase 1, 10,000 flats", "2023-04")]
    reports = service.store.reports(indicators=["dwellings"], units=["bld.hwasong"], first="2023-01", last=AS_OF)
    assert hwasong["delivered"] == 10_000 and hwasong["reported"] == 959
    assert hwasong["reported_year"] == reports["value"].sum() == 2_957
    text = run_cli(url, "projects", width=120).output
    assert "Project records against the builders' reports" in text and "10,000 dwellings" in text
    assert "2,957 dwellings" in text
    section = build_review(service, "2023-H1", only=["projects"]).section("projects")
    deliveries = section.tables["deliveries"]
    assert deliveries["projects"].tolist() == ["hwasong-1"]        # the review year's one discrepancy
    assert any("10,000 dwellings delivered in 2023-04" in line and "2,957 dwellings" in line
               for line in section.summary)


def test_tautness_beside_every_target(service, url):
    table = tautness(service, 2023)
    outlook = forecast(service, AS_OF)
    assert set(zip(outlook["indicator"], outlook["unit"], strict=True)) <= set(
        zip(table["indicator"], table["unit"], strict=True))
    national = table[table["unit"].eq("KP")].set_index("indicator")
    # Grain: 4.9 Mt planned against a normal-weather output of about 4.67 Mt (the weather model's).
    assert national.loc["grain", "code"] == "beyond normal weather"
    assert national.loc["grain", "vs_normal"] == pytest.approx(4_899_400 / national.loc["grain", "normal_output"] - 1)
    # Coal: 16.45 Mt against 15.5 and 16.4 Mt in 2021-22, within the record's best growth.
    assert national.loc["coal", "code"] == "taut" and national.loc["coal", "years"] == 2
    assert set(beyond_history(service, 2023)["code"]) <= {"beyond history", "beyond normal weather", "beyond frontier",
                                                         "beyond capacity"}
    text = run_cli(url, "forecast", "--as-of", AS_OF, "--tautness", width=80).output
    assert "Grain: +4.9 % against normal-weather output of 4.7 Mt" in text and "nan" not in text
    assert national.loc["cement", "code"] == "beyond frontier"
    assert "Cement: +3.5 % against the efficiency frontier" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "§ Grain: target beyond normal weather" in run_cli(url, "forecast", "--as-of", AS_OF, width=80).output


def test_five_year_plan_progress_and_the_growth_2024_25_needs(service, url):
    progress = five_year_progress(service, AS_OF).set_index("indicator")
    assert len(progress) == 12 and set(progress["target_year"]) == {2025}
    national = forecast(service, AS_OF).set_index(["indicator", "unit"])
    coal = progress.loc["coal"]
    assert coal["latest_level"] == pytest.approx(national.loc[("coal", "KP"), "expected_total"])
    assert coal["growth_needed"] == pytest.approx((19_500_000 / coal["latest_level"]) ** 0.5 - 1)  # the 2025 figure
    assert progress.loc["grain", "code"] == "needs faster growth"
    text = run_cli(url, "forecast", "--as-of", AS_OF, "--five-year", width=80).output
    assert "Needed a" in text and "2025" in text and "nan" not in text
    section = build_review(service, "2023-H1", only=["plan"]).section("plan")
    assert section.summary[0].startswith("Five-year plan: ") and "Grain needs +7.2 %" in section.summary[0]
    assert "Targets for 2023 beyond what the record supports" in section.summary[1]


def test_action_checks_carry_units(service):
    proposals = propose_actions(service, "2023-H1")
    checks = proposals.loc[proposals["origin"].eq("reserves"), "check"]
    assert len(checks) and checks.str.contains(r"electricity per unit of output towards [\d.,]+ [kMG]?Wh per ",
                                               regex=True).all()
    assert not proposals["check"].str.contains(r"e\+|nan", regex=True).any()
    assert not proposals["title"].str.contains(r"e\+|nan", regex=True).any()

"""One outlook per indicator and alerts that reduce variety, on the demo economy.

Before: ``gosplan forecast`` printed grain 4.6 Mt (P 0.01), ``gosplan risk`` 4.3 Mt (P 0.00), South
Hwanghae 1.1 Mt against 941.8 kt; the demo raised no alerts, coal.kujang's +31 % was "critical",
counties and provinces raised identical alerts and a missing April raised nothing.
"""

import json

import pytest

from clienv import run_cli
from gosplan.review import build_review
from gosplan.review.sections.risk import headline
from gosplan.service import Service
from gosplan.service.alerts import alerts_for, list_alerts, refresh_alerts
from gosplan.service.forecasts import forecast, grain_outlook, national_outlook
from gosplan.service.wording import probability_label, qty

AS_OF = "2023-06"


@pytest.fixture(scope="module")
def url(new_store_url):
    url = new_store_url("sqlite")
    Service.open(url).load_demo(2023)
    return url


@pytest.fixture(scope="module")
def service(url):
    return Service.open(url)


def test_forecast_and_risk_give_one_grain_outlook(service, url):
    table = forecast(service, AS_OF)
    grain = table[table["indicator"].eq("grain")].set_index("unit")
    outlook = grain_outlook(service, AS_OF)
    summary = outlook.summary()
    assert grain.loc["KP", "expected_total"] == pytest.approx(summary["expected_total"])
    assert grain.loc["KP", "p_attain"] == pytest.approx(summary["p_target_met"])
    assert (grain["outlook"] == "forecast × weather").all()
    for province in outlook.provinces.itertuples():
        assert grain.loc[province.province, "expected_total"] == pytest.approx(province.expected_total)
        assert grain.loc[province.province, "p_attain"] == pytest.approx(province.p_attain)
    # South Hwanghae's drought is in the forecast now, not only in the weather model.
    assert grain.loc["KP-05", "expected_total"] < 0.85 * grain.loc["KP-05", "target"]
    # The commands print the same year-end figure and probability.
    fc = json.loads(run_cli(url, "forecast", "--as-of", AS_OF, "--indicator", "grain", "--format", "json").output)
    risk = json.loads(run_cli(url, "risk", "--year", "2023", "--as-of", AS_OF, "--format", "json").output)
    assert fc[0]["expected_total"] == pytest.approx(risk[0]["expected_total"])
    assert fc[0]["p_attain"] == pytest.approx(risk[0]["p_target_met_baseline"])
    # ... and so do the web overview card and the review's weather section.
    card = national_outlook(service, AS_OF).set_index("indicator").loc["grain"]
    assert card["expected_total"] == pytest.approx(summary["expected_total"])
    numbers = headline(outlook).set_index("label")["value"]
    assert numbers["Expected output"] == qty(grain.loc["KP", "expected_total"], "t")
    assert numbers["P(target met)"].startswith(probability_label(grain.loc["KP", "p_attain"]))


def test_forecast_produced_is_the_fact_table_and_model_fill_is_labelled(service, url):
    table = forecast(service, AS_OF).set_index(["indicator", "unit"])
    facts = service.facts(AS_OF).set_index(["indicator", "unit"])
    joined = table.join(facts[["produced", "rest_needed", "required_rate"]], how="inner", rsuffix="_fact")
    assert len(joined) == len(table)
    assert (joined["actual_to_date"] == joined["produced"]).all()
    assert (joined["rest_needed"] == joined["rest_needed_fact"]).all()
    # The rate the rest of the year needs is the fact table's (status printed 648.8 kt, forecast 602.8 kt).
    left = joined[joined["months_remaining"].gt(0)]
    assert (left["required_monthly_rate"] == left["required_rate"]).all()
    # Haeju cement missed April: the national cement outlook includes the model's fill, labelled.
    cement = table.loc[("cement", "KP")]
    assert cement["imputed"] > 0
    assert cement["expected_total"] > cement["actual_to_date"] + cement["imputed"]
    out = run_cli(url, "forecast", "--as-of", AS_OF, width=80).output
    assert "expected incl. missing months" in out and "nan" not in out and "e+" not in out
    assert "< 1 %" in out and "above everything the outlook sees as possible" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_alerts_reduce_variety(service):
    alerts = alerts_for(service, AS_OF)
    by_unit = alerts.set_index(["indicator", "unit", "kind"])
    # Good news is notable, never critical.
    assert by_unit.loc[("coal", "coal.kujang", "step"), "severity"] == "notable"
    assert not alerts[alerts["favourable"]]["severity"].isin(["critical", "warning"]).any()
    # Every month missing this year is an alert, also when later months came in (Haeju's April).
    haeju = by_unit.loc[("cement", "cem.haeju", "missing")]
    assert haeju["period"] == "2023-04" and haeju["message"] == "no report for 2023-04"
    # Units and readable numbers in every message.
    assert not alerts["message"].str.contains(r"e\+|nan|\d\.\d+e", regex=True).any()
    assert alerts[alerts["kind"].eq("attainment")]["message"].str.contains(r" (?:t|kt|Mt|TWh|GWh|m³|m²|dwellings)\b",
                                                                          regex=True).all()
    # One alert per problem: no unit and its parent both alerted for the same indicator, kind and period
    # with the alerts below explaining the one above.
    parent = service.units().set_index("code")["parent"]
    keyed = alerts.assign(parent=alerts["unit"].map(parent))
    pairs = keyed.merge(keyed, left_on=["indicator", "kind", "period", "parent"],
                        right_on=["indicator", "kind", "period", "unit"], suffixes=("", "_up"))
    assert pairs.empty or (pairs["amount"].abs() > 0.5 * pairs["amount_up"].abs()).all()


def test_the_demo_shows_its_alerts_without_a_manual_raise(url, new_store_url):
    service = Service.open(url)
    # Loading the demo ran the monthly refresh: June's alerts are there, never beyond the latest month reported.
    assert service.store.alerts()["raised"].max() == AS_OF
    assert refresh_alerts(service, "2023-12") is None        # raised once
    assert refresh_alerts(service) is None
    assert len(list_alerts(service, open_only=True))
    fresh = new_store_url("sqlite")
    Service.open(fresh).load_demo(2023)
    section = build_review(Service.open(fresh), "2023-H1", only=["forecasts"]).section("forecasts")
    assert len(section.tables["alerts"]) and "No open alerts" not in section.body_html

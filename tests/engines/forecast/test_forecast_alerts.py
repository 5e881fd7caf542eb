"""Alert records and their escalation up the hierarchy (Cybersyn's algedonic signal)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.errors import ValidationError
from gosplan.forecast import (
    ALERT_COLUMNS,
    ESCALATION_COLUMNS,
    escalate,
    make_alerts,
    series_id,
    split_series_id,
)

UNITS = pd.DataFrame({"code": ["dprk", "north", "south", "farm-1", "farm-2", "mine-1"],
                      "parent": [None, "dprk", "dprk", "north", "north", "south"]})


def attainment_rows(p):
    n = len(p)
    return pd.DataFrame({"series_id": [f"grain|farm-{i}" for i in range(n)], "year": 2023,
                         "target": 100.0, "expected_total": 90.0, "lower_80": 80.0, "upper_80": 99.0,
                         "p_attain": p, "required_monthly_rate": 15.0, "months_remaining": 6,
                         "method": "ets-additive"})


def test_series_id_round_trip():
    assert series_id("steel", "plant|7") == "steel|plant|7"
    indicator, unit = split_series_id(pd.Series(["steel|plant|7", "coal|mine-1", "loose"]))
    assert indicator.tolist() == ["steel", "coal", "loose"]
    assert unit.tolist() == ["plant|7", "mine-1", ""]
    with pytest.raises(ValueError):
        series_id("a|b", "u")


def test_attainment_alerts_below_threshold_with_severity():
    alerts = make_alerts(attainment_rows([0.9, 0.45, 0.1, float("nan")]), threshold=0.5, critical=0.2)
    assert list(alerts.columns) == ALERT_COLUMNS
    assert alerts["unit"].tolist() == ["farm-2", "farm-1"]              # critical first
    assert alerts["severity"].tolist() == ["critical", "warning"]
    assert (alerts["kind"] == "attainment").all() and (alerts["period"] == "2023").all()
    assert "needs 15 a month for 6 months" in alerts["message"].iloc[0]


def test_exception_alerts():
    exceptions = pd.DataFrame({
        "series_id": ["coal|mine-1", "coal|mine-2", "coal|mine-3", "coal|mine-4"],
        "period": ["2023-04", "2023-05", "2023-03", "2023-06"],
        "kind": ["step", "outlier", "missing", "missing"], "size": [-50.0, 10.0, 4.0, 1.0],
        "relative_size": [-0.4, 0.1, float("nan"), float("nan")], "probability": [0.999, 0.95, 1.0, 1.0],
        "message": ["step", "outlier", "silent", "silent"]})
    alerts = make_alerts(exceptions=exceptions).set_index("unit")
    assert alerts.loc["mine-1", "severity"] == "critical"
    assert alerts.loc["mine-2", "severity"] == "notable"         # up where more is better: good news
    assert alerts.loc["mine-3", "severity"] == "critical"      # four months silent
    assert alerts.loc["mine-4", "severity"] == "warning"
    assert make_alerts().empty


def test_escalation_climbs_one_level_per_periods_until_the_top():
    alerts = pd.DataFrame({"id": [1, 2, 3, 4, 5], "unit": ["farm-1", "farm-1", "farm-1", "mine-1", "farm-2"],
                           "raised": ["2023-06", "2023-04", "2022-01", "2023-05", "2022-01"],
                           "status": ["open", "open", "open", "open", "resolved"]})
    out = escalate(alerts, UNITS, "2023-07", periods=2)
    assert list(out.columns) == ESCALATION_COLUMNS
    assert out["level"].tolist() == [0, 1, 2, 1, 0]
    assert out["escalated_to"].tolist() == ["farm-1", "north", "dprk", "south", "farm-2"]
    assert out["reached_top"].tolist() == [False, False, True, False, False]
    assert out["path"].iloc[0] == "farm-1 > north > dprk"


def test_escalation_uses_the_period_when_there_is_no_raised_month():
    alerts = pd.DataFrame({"id": [1], "unit": ["farm-1"], "period": ["2023-Q1"], "status": ["open"]})
    assert escalate(alerts, UNITS, "2023-05", periods=1)["level"].tolist() == [2]


def test_escalation_errors():
    alerts = pd.DataFrame({"id": [1], "unit": ["nowhere"], "raised": ["2023-01"], "status": ["open"]})
    with pytest.raises(ValidationError, match="nowhere"):
        escalate(alerts, UNITS, "2023-05")
    with pytest.raises(ValidationError, match="status"):
        escalate(alerts.assign(unit="farm-1", status="forgotten"), UNITS, "2023-05")
    cyclic = pd.DataFrame({"code": ["a", "b"], "parent": ["b", "a"]})
    with pytest.raises(ValidationError, match="cycle"):
        escalate(alerts.assign(unit="a"), cyclic, "2023-05")


@settings(max_examples=40, deadline=None)
@given(months=st.integers(0, 30), periods=st.integers(1, 6), status=st.sampled_from(["open", "acknowledged"]))
def test_escalation_is_monotone_and_bounded(months, periods, status):
    alerts = pd.DataFrame({"id": [1, 2], "unit": ["farm-1", "farm-1"], "raised": ["2023-01", "2023-01"],
                           "status": [status, status]})
    now = pd.Period("2023-01", "M") + months
    later = now + 1
    a = escalate(alerts, UNITS, str(now), periods)["level"].iloc[0]
    b = escalate(alerts, UNITS, str(later), periods)["level"].iloc[0]
    assert 0 <= a <= b <= 2
    if status == "acknowledged":
        assert a == b == 0

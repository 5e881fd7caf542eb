"""The roll-up rule: a unit with units below it reports an indicator only when that is its level by design.

Found on the demo: a reporter for a province posted coal = 1 for the province itself, and since a
unit's own report wins over the sum of its children the province then showed 1 t against a target
of hundreds of kilotonnes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.ingest import check_frame, import_file

from .conftest import TODAY

R = "indicator,unit,period,value\n"


def test_a_province_cannot_overwrite_the_sum_of_its_enterprises(sqlite_loaded, tmp_path):
    # E2 (a coal mine of SP) reports coal; SP's own coal would replace the sum of its enterprises.
    import_file(sqlite_loaded, _csv(tmp_path, "e2.csv", "coal,E2,2023-01,500\n"), today=TODAY)
    before = sqlite_loaded.dump()
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, _csv(tmp_path, "sp.csv", "coal,SP,2023-02,1\ncoal,E2,2023-02,510\n"),
                    today=TODAY)
    (problem,) = info.value.problems
    assert (problem.source, problem.row, problem.column) == ("sp.csv", 2, "unit")
    assert "SP is a roll-up unit: its coal is the sum of the 1 unit(s) below it that report it (E2)" in problem.reason
    assert sqlite_loaded.dump() == before


def test_units_below_in_the_same_file_count(sqlite_loaded, tmp_path):
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, _csv(tmp_path, "both.csv", "steel,E1,2023-02,7\nsteel,PY,2023-02,7\n"),
                    today=TODAY)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "unit")]


def test_an_indicator_not_assigned_to_the_level_is_refused(sqlite_loaded):
    frame = pd.DataFrame({"indicator": ["power"], "unit": ["DPRK"], "period": ["2023-03"], "value": ["5"]})
    with pytest.raises(ValidationError) as info:
        check_frame(sqlite_loaded, "reports", frame, source="api", today=TODAY)
    assert "DPRK has units below it and power is not reported at its level" in info.value.problems[0].reason


def test_an_indicator_reported_at_province_level_by_design_is_accepted(sqlite_loaded, tmp_path):
    # PY has its own target for power and no unit below it carries power: the province reports it.
    targets = tmp_path / "t.csv"
    targets.write_text("plan,indicator,unit,period,value\nAP2023,power,PY,2023,1200\n")
    import_file(sqlite_loaded, targets, today=TODAY)
    result = import_file(sqlite_loaded, _csv(tmp_path, "py.csv", "power,PY,2023-02,100\n"), today=TODAY)
    assert result.new == 1
    # ... and enterprises keep reporting freely, whatever they report.
    assert import_file(sqlite_loaded, _csv(tmp_path, "e1.csv", "coal,E1,2023-02,3\n"), today=TODAY).new == 1


def test_the_demo_reports_only_at_the_levels_the_rule_allows(tmp_path):
    """Every stored report of the demo passes the rule (none is for a unit with units below it)."""
    from gosplan.examples import build_demo

    demo = build_demo(2023)
    parents = set(demo.units["parent"].dropna())
    assert not demo.reports["unit"].isin(parents).any()


def _csv(folder, name: str, rows: str):
    path = folder / name
    path.write_text(R + rows)
    return path

"""``gosplan forecast`` and ``gosplan alerts`` end to end (in process, one demo store)."""

import io
import json
import re

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import Conflict, NotFound
from gosplan.service import Service
from gosplan.service.forecasts import forecast


def run(db: str, *args: str, code: int = 0):
    return run_cli(db, *args, code=code, width=220)


def test_forecast_table_and_machine_formats(db):
    table = run(db, "forecast", "--as-of", "2023-06").output
    for expected in ("Year-end outlook as of 2023-06", "P(attain)", "80 % interval", "Coal", "Grain", "Mt"):
        assert expected in table
    frame = pd.read_csv(io.StringIO(run(db, "forecast", "--as-of", "2023-06", "--unit", "KP", "--depth", "1",
                                        "--indicator", "grain", "--format", "csv").output))
    assert set(frame["indicator"]) == {"grain"} and len(frame) == 13  # the country and its 12 provinces
    truth = forecast(Service.open(db), "2023-06", indicators=["grain"]).set_index("unit")
    for row in frame.itertuples():
        assert row.p_attain == pytest.approx(truth.loc[row.unit, "p_attain"])
        assert row.expected_total == pytest.approx(truth.loc[row.unit, "expected_total"])
    rows = json.loads(run(db, "forecast", "--as-of", "2023-06", "--unit", "KP-05", "--format", "json").output)
    assert {r["unit"] for r in rows} == {"KP-05"}
    assert isinstance(run(db, "forecast", "--as-of", "2023-06", "--unit", "nowhere", code=1).exception, NotFound)


def test_a_dry_year_lowers_hydro_power_only(db):
    def outlook(*extra: str) -> pd.DataFrame:
        return pd.read_csv(io.StringIO(run(db, "forecast", "--as-of", "2023-06", "--depth", "3", "--format", "csv",
                                           *extra).output)).set_index(["indicator", "unit"])

    normal, dry = outlook(), outlook("--rainfall", "-0.5")
    moved = dry["outlook"].eq("forecast × rainfall")
    assert moved.any() and set(dry.index[moved].get_level_values("indicator")) == {"electricity"}
    assert (dry.loc[moved, "expected_total"] < normal.loc[moved, "expected_total"]).all()
    assert dry.loc[~moved, "expected_total"].equals(normal.loc[~moved, "expected_total"])
    table = run(db, "forecast", "--as-of", "2023-06", "--indicator", "electricity", "--rainfall", "-0.5").output
    assert "--rainfall -50 % against normal" in table
    assert "between -1 (no rain) and 3" in run(db, "forecast", "--as-of", "2023-06", "--rainfall", "-2", code=2).output


def test_alerts_raise_list_ack_resolve(db):
    # The demo raised the latest month's alerts when it was loaded (the monthly refresh): listing shows them.
    assert re.search(r"^\d+ alerts, most urgent first", run(db, "alerts").output, re.MULTILINE)
    assert "0 new" in run(db, "alerts", "raise", "--as-of", "2023-06").output
    assert " new," in run(db, "alerts", "raise", "--as-of", "2023-05").output
    listed = json.loads(run(db, "alerts", "--open", "--unit", "KP-05", "--format", "json").output)
    assert listed and all(a["path"].endswith("KP-05 > KP") or a["unit"] == "KP" for a in listed)
    alert_id = str(listed[0]["id"])
    assert "acknowledged by kim" in run(db, "alerts", "ack", alert_id, "--by", "kim").output
    # In process the error reaches the caller; gosplan.cli.main prints it and exits with status 1.
    assert isinstance(run(db, "alerts", "ack", alert_id, code=1).exception, Conflict)
    still_open = json.loads(run(db, "alerts", "--open", "--format", "json").output)
    assert int(alert_id) not in {a["id"] for a in still_open}
    assert "resolved" in run(db, "alerts", "resolve", alert_id).output
    assert isinstance(run(db, "alerts", "resolve", "99999", code=1).exception, NotFound)
    # Four months later nobody has acknowledged the others: they have climbed two levels.
    later = pd.DataFrame(json.loads(run(db, "alerts", "--open", "--as-of", "2023-10", "--format", "json").output))
    farms = later[later["unit"].str.startswith("farm.")]
    assert len(farms) and (farms["escalation_level"] == 2).all()
    table = run(db, "alerts", "--open", "--unit", "KP-05").output
    assert "Escalation" in table and "KP-05" in table  # the path up the hierarchy, the holder in bold

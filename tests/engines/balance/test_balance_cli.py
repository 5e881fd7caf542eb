"""The ``gosplan balance`` commands, driven through typer's CliRunner on the app object."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.balance import IOTable, write_flows_csv
from gosplan.commands.balance import app

runner = CliRunner()


@pytest.fixture
def flows_csv(tmp_path):
    # Miller & Blair (2009) ch. 2 example plus a third sector, with employment
    Z = np.array([[150.0, 500.0, 20.0], [200.0, 100.0, 30.0], [50.0, 60.0, 10.0]])
    x = np.array([1000.0, 2000.0, 400.0])
    table = IOTable.from_flows(
        Z,
        x,
        labels=["agri", "manuf", "services"],
        employment=[50.0, 40.0, 30.0],
        value_added=x - Z.sum(axis=0),
    )
    path = tmp_path / "flows.csv"
    write_flows_csv(table, path)
    return path


def test_check_clean_and_broken(flows_csv, tmp_path) -> None:
    result = runner.invoke(app, ["check", str(flows_csv)])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output
    broken = pd.read_csv(flows_csv, index_col=0)
    broken.loc["agri", "manuf"] = -5
    path = tmp_path / "broken.csv"
    broken.to_csv(path)
    result = runner.invoke(app, ["check", str(path), "--out", str(tmp_path / "problems.csv")])
    assert result.exit_code == 1
    assert "negative" in result.output
    assert pd.read_csv(tmp_path / "problems.csv")["sector"].tolist()[0] == "manuf"


def test_analyse_writes_parquet(flows_csv, tmp_path) -> None:
    out = tmp_path / "links.parquet"
    result = runner.invoke(app, ["analyse", str(flows_csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out).set_index("sector")
    assert {"output_multiplier", "backward_index", "forward_index", "class"} <= set(frame.columns)
    assert frame.loc["agri", "output_multiplier"] > 1
    assert "key sectors" in result.output


def test_extract_groups_and_shock(flows_csv, tmp_path) -> None:
    result = runner.invoke(
        app, ["extract", str(flows_csv), "--group", "goods=agri,manuf", "--out", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "x.csv", index_col=0).loc["goods", "total"] > 0
    result = runner.invoke(app, ["shock", str(flows_csv), "--capacity", "manuf=1800"])
    assert result.exit_code == 0, result.output
    assert "supply shock" in result.output
    result = runner.invoke(app, ["shock", str(flows_csv), "--capacity", "nowhere=1"])
    assert result.exit_code == 2
    assert "unknown sectors" in result.output


def test_plan_reports_binding_capacity(flows_csv, tmp_path) -> None:
    out = tmp_path / "plan.csv"
    result = runner.invoke(
        app, ["plan", str(flows_csv), "--growth", "0.10", "--headroom", "0.02", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "fulfilment" in result.output and "capacity:" in result.output
    plan = pd.read_csv(out, index_col=0)
    assert (plan["output"] <= plan["capacity"] * (1 + 1e-9)).all()


def test_oecd_table_and_missing_file(data_dir) -> None:
    result = runner.invoke(app, ["analyse", str(data_dir / "BEL2020ttl.csv"), "--top", "5"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", "no-such-table.csv"])
    assert result.exit_code == 2
    assert "file not found" in result.output

"""The demo's input-output table brought to 2023's reported output, and the 2024 draft set against it."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.service import Service, plans
from gosplan.service.io_update import reported_output, update_table, version_io_consistency
from gosplan.service.material import annualised_output


@pytest.fixture(scope="module")
def service(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite

    service = Service.open(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("io") / "demo.db"))
    plans.draft(service, 2024, created_by="planner", code="draft-2024-io")
    return service


def test_the_demo_table_brought_to_2023_reports(service):
    before = version_io_consistency(service, "draft-2024-io")
    assert before.table == "demo-2023" and not before.updated
    update = update_table(service, 2023, recorded_by="planner")
    assert update.name == "demo-2023-reported" and update.method == "ras"
    # Gross output: the reported (annualised) 2023 output valued at the table's plan prices; metallurgy's
    # is rolled steel and non-ferrous metals, both priced per tonne at the same price.
    facts = service.facts("2023-12").query("unit == @service.root()").set_index("indicator")
    out = annualised_output(service, 2023).groupby("indicator")["value"].sum()
    metal = sum(facts.loc[i, "price"] * out[i] for i in ("rolled_steel", "nonferrous_metals")) / 1e6
    assert reported_output(service, 2023)["metallurgy"] == pytest.approx(metal)
    # The stored table's margins are the targets (to 1e-9) and its accounts close.
    year, frames = service.store.io_table("demo-2023-reported")
    assert year == 2023 and service.store.io_tables()["name"].tolist() == ["demo-2023", "demo-2023-reported"]
    s = update.sectors
    np.testing.assert_allclose(frames["Z"].sum(axis=1), s["intermediate_sales"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(frames["Z"].sum(axis=0), s["intermediate_inputs"], rtol=1e-9, atol=0)
    x = frames["x"].iloc[:, 0]
    np.testing.assert_allclose(frames["Z"].sum(axis=1) + frames["Y"].sum(axis=1), x, rtol=1e-9)
    assert not s.loc["services", "reported"] and x["services"] == s.loc["services", "base_output"]
    # Plan prices still come from the base table, not the update.
    assert service.io_output().set_index("indicator").loc["coal", "gross_output"] == s.loc["coal", "base_output"]
    # Metallurgy ran at 112 % in 2023: the updated coefficients send more of its output into other
    # sectors' production, so the 2024 draft leaves less metal for final use than the base table says.
    after = version_io_consistency(service, "draft-2024-io")
    assert after.table == "demo-2023-reported" and after.updated
    assert after.sectors.loc["metallurgy", "left_for_final_use"] < before.sectors.loc["metallurgy",
                                                                                       "left_for_final_use"]
    assert after.sectors.loc["metallurgy", "status"] == "less for final use"
    np.testing.assert_allclose(after.sectors["gross_output"], before.sectors["gross_output"])
    # Labour at the table's output per worker, against the labour stored for 2023 (the latest year).
    workers = frames["labour"].iloc[:, 0] / x * after.sectors["gross_output"]
    np.testing.assert_allclose(after.sectors["workers_needed"], workers, rtol=1e-9)
    stored = service.store.capacities(2023).set_index("sector")["labour"]
    np.testing.assert_allclose(after.sectors["workers_available"], stored.reindex(after.sectors.index))


def test_update_table_on_the_command_line(service):
    from clienv import run_cli

    url = str(service.store.url)
    text = run_cli(url, "balance", "update-table", "--year", "2023", width=80).output
    assert "demo-2023 brought to the reported output of 2023" in text and "Stored as demo-2023-reported" in text
    assert max(len(line) for line in text.splitlines()) <= 80 and "nan" not in text
    text = run_cli(url, "plan", "balance", "draft-2024-io", width=80).output
    assert "Input-output consistency of draft-2024-io" in text and "Coefficients of demo-2023-reported" in text
    assert "Labour: the draft needs" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    refused = run_cli(url, "balance", "update-table", "--year", "2031", code=1)
    assert "no reports of output for 2031" in str(refused.exception)

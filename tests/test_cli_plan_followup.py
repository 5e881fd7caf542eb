"""``gosplan plan`` follow-ups: the plan in force named in status and the review, the plan tables at 80
columns with names, bottlenecks in physical units, import dependence."""

from __future__ import annotations

import pandas as pd
import pytest

from clienv import run_cli


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _check_80(out: str) -> None:
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert "nan" not in out and "e+" not in out
    assert "_" not in out.replace("io_table", ""), out  # names, never codes such as nitrogen_fertilizer
    # Only names are cut: an ellipsis never follows a digit.
    assert not any(line[i - 1].isdigit() for line in out.splitlines() for i, ch in enumerate(line) if ch == "…"), out


def test_plan_tables_read_at_80_columns_with_names(db, tmp_path):
    out = run_cli(db, "plan", "draft", "--year", "2024", "--name", "d80", "--by", "planner", width=80).output
    _check_80(out)
    assert "Nitrogen fertilizer" in out and "Electricity generated" in out and "M m²" in out
    out = run_cli(db, "plan", "balance", "d80", width=80).output
    _check_80(out)
    assert "Deficit of electricity generated" in _one_line(out)
    assert "Kim Chaek Iron and Steel Complex"[:10] in out or "Chagang" in out  # unit names in the capacity table
    run_cli(db, "plan", "variant", "d80", "--name", "d80-b", "--scale", "electricity=1.02")
    out = run_cli(db, "plan", "compare", "d80", "d80-b", width=80).output
    _check_80(out)
    assert "A: d80 against B: d80-b" in out and "+2.0 %" in out
    counter = tmp_path / "cp.csv"
    pd.DataFrame([("d80", "coal.kujang", "coal", "2024", 2_300_000, "new longwall face at Kujang from March")],
                 columns=["plan", "unit", "indicator", "period", "value", "reason"]).to_csv(counter, index=False)
    run_cli(db, "plan", "counter", "import", str(counter), "--from", "KP-03", "--by", "kujang")
    for args in (["counter", "show", "d80"], ["counter", "show", "d80", "--level", "province"], ["versions"],
                 ["norms"], ["capacities"], ["implications", "--period", "2023-H1"]):
        out = run_cli(db, "plan", *args, width=80).output
        _check_80(out)
    out = run_cli(db, "plan", "counter", "show", "d80", width=80).output
    assert "Kujang" in out and "+88.9" in out and "kt" in out


def test_status_and_review_name_the_plan_in_force(db, tmp_path):
    from gosplan.review.document import build_review
    from gosplan.service import Service

    out = _one_line(run_cli(db, "status", "--period", "2023-06", width=80).output)
    assert "Compared against: Annual plan 2023 (ap-2023)." in out
    out = _one_line(run_cli(db, "status", "--period", "2023-06", "--by", "sector", width=80).output)
    assert "Compared against: Annual plan 2023 (ap-2023)." in out
    review = build_review(Service.open(db), "2023-H1")
    assert "Compared against: Annual plan 2023 (ap-2023)." in review.stocktake.headline
    (a, sectors), (b, indicators) = review.annexes[:2]
    assert (a, b) == ("A", "B")
    assert sectors.lead_text.endswith("Compared against: Annual plan 2023 (ap-2023).")
    assert indicators.lead_text.endswith("Compared against: Annual plan 2023 (ap-2023).")

    # Adopt a 2024 version, report January 2024 for one mine: status for 2024-01 names that version.
    run_cli(db, "plan", "draft", "--year", "2024", "--name", "named-2024", "--by", "planner")
    run_cli(db, "plan", "draft", "--year", "2024", "--name", "before-january", "--by", "planner")
    run_cli(db, "plan", "adopt", "named-2024", "--accept-deficits", "--by", "council-of-ministers")
    report = tmp_path / "jan.csv"
    pd.DataFrame([("coal", "coal.kujang", "2024-01", 180_000)],
                 columns=["indicator", "unit", "period", "value"]).to_csv(report, index=False)
    run_cli(db, "import", str(report), "--by", "kujang")
    out = _one_line(run_cli(db, "status", "--period", "2024-01", "--unit", "coal.kujang", width=80).output)
    assert "Compared against: Annual plan 2024 (ap-2024), version named-2024 adopted by council-of-ministers on " \
        in out
    assert "UTC." in out
    # Reports of the plan year do not change last year's expected result: the draft is the same as before.
    run_cli(db, "plan", "draft", "--year", "2024", "--name", "after-january", "--by", "planner")
    store = Service.open(db).store
    before = store.version_control_figures("before-january").set_index("indicator")["control_figure"]
    after = store.version_control_figures("after-january").set_index("indicator")["control_figure"]
    pd.testing.assert_series_equal(after.sort_index(), before.sort_index())
    facts = Service.open(db).facts("2024-01")
    assert facts.set_index(["unit", "indicator"]).loc[("coal.kujang", "coal"), "plan"] == "ap-2024"


def test_bottlenecks_in_physical_units(db):
    import json

    from gosplan.service import Service
    from gosplan.service.balance import physical_bottlenecks, plan_balance

    out = run_cli(db, "balance", "bottlenecks", "--year", "2023", width=80).output
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "nan" not in out.lower() and "e+" not in out
    coal = next(line for line in out.splitlines() if line.startswith("capacity: coal "))
    assert "Mt/yr" in coal and "100 %" in coal and "won per t" in coal
    assert "TWh/yr" in out and "won per kWh" in out
    rows = json.loads(run_cli(db, "balance", "bottlenecks", "--year", "2023", "--format", "json").output)
    coal_row = next(r for r in rows if r.get("indicator") == "coal")
    assert coal_row["uom"] == "t" and coal_row["physical_capacity"] > 1e7

    service = Service.open(db)
    balanced = plan_balance(service, 2023)
    physical = physical_bottlenecks(service, balanced).set_index("indicator")
    binding = balanced.binding_capacities().set_index("sector")
    # Shadow price per t = (won of final output per won of capacity) x plan price (won per t).
    assert physical.loc["coal", "shadow_price_per_unit"] == \
        binding.loc["coal", "shadow_price"] * physical.loc["coal", "price"]
    caps = service.store.physical_capacities()
    assert physical.loc["coal", "physical_capacity"] == caps.loc[caps["indicator"].eq("coal"), "capacity"].sum()


def test_import_dependence_per_good_and_sector(db):
    import json

    from gosplan.service import Service, material

    run_cli(db, "plan", "draft", "--year", "2024", "--name", "imp-2024", "--by", "planner")
    rows = {r["good"]: r for r in json.loads(run_cli(db, "plan", "balance", "imp-2024", "--format", "json").output)}
    for r in rows.values():  # domestic + imports = resources; the share is imports over resources
        assert r["domestic"] + r["imports"] == pytest.approx(r["resources"])
        assert r["import_share"] == pytest.approx(r["imports"] / r["resources"] if r["resources"] else 0.0, rel=1e-6)
    # The demo's balance items for 2024: 60 kt of nitrogen fertilizer imported, no coal imported.
    assert rows["nitrogen_fertilizer"]["imports"] == 60_000 and rows["coal"]["import_share"] == 0.0
    for r in rows.values():  # closing a deficit by imports raises the share; a surplus leaves it
        closed, share = r["import_share_closed"], r["import_share"]
        assert closed > share if r["surplus"] < 0 else closed == pytest.approx(share)
    out = run_cli(db, "plan", "balance", "imp-2024", width=80).output
    assert max(len(line) for line in out.splitlines()) <= 80
    nitrogen = rows["nitrogen_fertilizer"]
    assert f"{100 * nitrogen['import_share']:.1f} %" in out
    text = _one_line(out)
    assert "Import dependence by sector" in text and "chemical industry" in text and "60.0 kt of" in text
    service = Service.open(db)
    sectors = material.import_dependence_by_sector(service, material.version_balance(service, "imp-2024"))
    assert sectors["import_share"].is_monotonic_decreasing
    assert set(sectors.loc[sectors["import_share"].eq(0), "sector"]) >= {"coal"}

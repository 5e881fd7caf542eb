"""``gosplan plan`` follow-ups: the plan in force named in status and the review, the plan tables at 80
columns with names, bottlenecks in physical units, import dependence."""

from __future__ import annotations

import pandas as pd

from clienv import run_cli


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    run_cli(db, "plan", "adopt", "named-2024", "--accept-deficits", "--by", "council-of-ministers")
    report = tmp_path / "jan.csv"
    pd.DataFrame([("coal", "coal.kujang", "2024-01", 180_000)],
                 columns=["indicator", "unit", "period", "value"]).to_csv(report, index=False)
    run_cli(db, "import", str(report), "--by", "kujang")
    out = _one_line(run_cli(db, "status", "--period", "2024-01", "--unit", "coal.kujang", width=80).output)
    assert "Compared against: Annual plan 2024 (ap-2024), version named-2024 adopted by council-of-ministers on " \
        in out
    assert "UTC." in out
    facts = Service.open(db).facts("2024-01")
    assert facts.set_index(["unit", "indicator"]).loc[("coal.kujang", "coal"), "plan"] == "ap-2024"

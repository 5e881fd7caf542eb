"""The ``unit_groups`` kind of file: groupings beside the territorial hierarchy.

One row per (unit, grouping): ``unit, grouping, group_code, group_name`` and optionally the
group's Korean name ``group_name_ko``, e.g.
``coal.kujang, ministry, coal, Ministry of Coal Industry`` or ``elec.supung, technology, hydro, Hydro power``.
A unit must exist; codes use ``A-Z a-z 0-9 _ . -``; a unit appears once per grouping in a file; a group
keeps one name (within the file and against the store). Re-importing a row replaces the unit's group in
that grouping. Every problem is reported at once and nothing is written unless the file is valid.
"""

from __future__ import annotations

import pandas as pd

from gosplan.store import Store

from .checks import (
    MAX_TEXT,
    Problems,
    check_codes,
    check_duplicates,
    check_known,
    check_text,
    korean_text,
    strip_export_guard,
    text_column,
)

GROUP_KINDS: tuple[str, ...] = ("unit_groups",)


def validate_unit_groups(frame: pd.DataFrame, store: Store, problems: Problems) -> pd.DataFrame:
    """Check a unit_groups file; returns unit, grouping, group_code, group_name (and group_name_ko)."""
    out = pd.DataFrame(index=frame.index)
    out["unit"] = text_column(frame, "unit")
    valid = check_codes(problems, out["unit"], "unit")
    check_known(problems, out["unit"], "unit", pd.Index(store.units()["code"]), "unit", valid)
    for column in ("grouping", "group_code"):
        out[column] = text_column(frame, column)
        check_codes(problems, out[column], column)
    out["group_name"] = strip_export_guard(text_column(frame, "group_name"))
    check_text(problems, out["group_name"], "group_name", required=True)
    korean_text(problems, frame, out, "group_name_ko", max_length=MAX_TEXT)  # the group's Korean name
    check_duplicates(problems, out, ["unit", "grouping"])
    stored = store.unit_groups(localized=False)
    names = {(g, c): n for g, c, n in zip(stored["grouping"], stored["group_code"], stored["group_name"],
                                          strict=True)}
    first_row: dict[tuple[str, str], int] = {}
    for row, grouping, code, name in zip(out.index, out["grouping"], out["group_code"], out["group_name"],
                                         strict=True):
        if not (grouping and code and name):
            continue
        key = (grouping, code)
        if key in first_row and names[key] != name:
            problems.add(int(row), "group_name",
                         f"group {code!r} of {grouping!r} is named {names[key]!r} in row {first_row[key]}")
        elif key not in first_row and key in names and names[key] != name:
            problems.add(int(row), "group_name",
                         f"group {code!r} of {grouping!r} is named {names[key]!r} in the store; "
                         "rename it for every unit at once")
        first_row.setdefault(key, int(row))
        names.setdefault(key, name)
    return out

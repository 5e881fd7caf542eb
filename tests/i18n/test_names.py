"""Korean names in the store: read in the reader's language with the English one standing in; an import
file may carry them (name_ko); a file without them leaves the stored ones alone; every demo name has one."""

from __future__ import annotations

import re

import pandas as pd

from gosplan.i18n import use_language
from gosplan.store import Store


def test_names_follow_the_language_and_fall_back_to_english(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", create=True)
    store.write_units(pd.DataFrame({"code": ["KP", "KP-02"], "name": ["Korea", "South Pyongan"],
                                    "kind": ["country", "province"], "parent": [None, "KP"],
                                    "name_ko": [None, "평안남도"]}))
    assert store.units()["name"].tolist() == ["Korea", "South Pyongan"]
    with use_language("ko"):
        assert store.units()["name"].tolist() == ["Korea", "평안남도"]
    # A later file without Korean names changes the English one and keeps the Korean one.
    store.write_units(pd.DataFrame({"code": ["KP-02"], "name": ["South Phyongan"], "kind": ["province"],
                                    "parent": ["KP"]}))
    names = store.names("units").set_index("code")
    assert names.loc["KP-02", "name_en"] == "South Phyongan" and names.loc["KP-02", "name_ko"] == "평안남도"


def test_an_import_file_carries_korean_names(tmp_path):
    from gosplan.ingest import import_file

    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", create=True)
    path = tmp_path / "sectors.csv"
    path.write_text("code,name,parent,name_ko\nenergy,Energy,,동력\ncoal,Coal mining,energy,석탄공업\n",
                    encoding="utf-8")
    import_file(store, path, kind="sectors")
    with use_language("ko"):
        assert store.sectors()["name"].tolist() == ["동력", "석탄공업"]


def test_every_demo_name_has_a_korean_one():
    from gosplan.examples.demo.catalogue import indicators_frame, plans_frame, sectors_frame, units_frame
    from gosplan.examples.demo.names_ko import with_korean_names

    for kind, frame in (("sectors", sectors_frame()), ("units", units_frame()), ("indicators", indicators_frame()),
                        ("plans", plans_frame())):
        named = with_korean_names(kind, frame)
        assert named["name_ko"].notna().all(), named[named["name_ko"].isna()]
        assert not named["name_ko"].str.contains("[A-Za-z]").any()  # Korean words, not transliterations
        assert named["name_ko"].map(lambda n: bool(re.search("[가-힣]", n))).all()
    units = with_korean_names("units", units_frame()).set_index("code")["name_ko"]
    assert units["KP-01"] == "평양시" and units["KP-02"] == "평안남도"

"""Fast reads of all-numeric result sets (ids, months, values): the national roll-ups read millions.

Building a Python object per cell costs more than the query itself at that size. SQLite has no
bulk export, so its rows come from the driver's plain tuples straight into one float array.
PostgreSQL streams the result with ``COPY (query) TO STDOUT`` as CSV, which pandas parses in C.
COPY takes no bind parameters, so the query's parameters are written into it as literals; only
integers, lists of integers and short texts (period labels) are accepted, and texts are quoted.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
from sqlalchemy import Connection

_PARAM = re.compile(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)")


def numeric_frame(c: Connection, sql: str, params: dict, columns: list[str], statement=None) -> pd.DataFrame:
    """Run ``sql`` (every selected column numeric, NULL allowed) and return float64 columns.

    ``statement`` turns the SQL text into an executable statement (expanding list parameters);
    it is used on SQLite, while PostgreSQL gets the literal query through COPY.
    """
    if c.dialect.name == "postgresql":
        return _copy_csv(c, _inline(sql, params), columns)
    rows = c.execute(statement(sql) if statement else sql, params).cursor.fetchall()
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype="float64") for column in columns})
    return pd.DataFrame(np.array(rows, dtype="float64"), columns=columns)


def _copy_csv(c: Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    buffer = io.BytesIO()
    cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if buffer.tell() == 0:
        return pd.DataFrame({column: pd.Series(dtype="float64") for column in columns})
    buffer.seek(0)
    return pd.read_csv(buffer, header=None, names=columns, dtype="float64", engine="c")


def _inline(sql: str, params: dict) -> str:
    def literal(match: re.Match) -> str:
        value = params[match.group(1)]
        if isinstance(value, (list, tuple, set)):
            return "(" + ",".join(_scalar(v) for v in value) + ")"
        return _scalar(value)

    return _PARAM.sub(literal, sql)


def _scalar(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str) and len(value) <= 64:
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"cannot write {value!r} into a COPY query")

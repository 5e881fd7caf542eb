"""Fast reads of all-numeric result sets (ids, months, values): the national roll-ups read millions.

Building a Python object per cell costs more than the query itself at that size. PostgreSQL's
results come through its Arrow Database Connectivity driver (``adbc-driver-postgresql``: binary
COPY into columns, in C); without it, as one CSV text (``string_agg`` on the server, under its 1 GB
limit for one value: the callers read one period or one year at a time) which pandas parses in C.
SQLite has no bulk export: its rows come from the driver's plain tuples straight into one float
array. Queries get their parameters written in as literals; only integers, lists of integers and
short texts (period labels) are accepted, and texts are quoted.
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

    ``statement`` turns the SQL text into an executable statement (expanding list parameters) for
    the plain-driver path.
    """
    return numeric_frames(c, [(sql, params)], columns, statement)[0]


def numeric_frames(c: Connection, queries: list[tuple[str, dict]], columns: list[str],
                   statement=None) -> list[pd.DataFrame]:
    """:func:`numeric_frame` for several queries with the same columns (one driver connection)."""
    if c.dialect.name == "postgresql":
        literal = [_inline(sql, params) for sql, params in queries]
        frames = _arrow_frames(c, literal, columns)
        return frames if frames is not None else [_copy_csv(c, sql, columns) for sql in literal]
    frames = []
    for sql, params in queries:
        rows = c.execute(statement(sql) if statement else sql, params).cursor.fetchall()
        frames.append(pd.DataFrame(np.array(rows, dtype="float64"), columns=columns) if rows else _empty(columns))
    return frames


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="float64") for column in columns})


def _arrow_frames(c: Connection, queries: list[str], columns: list[str]) -> list[pd.DataFrame] | None:
    """PostgreSQL's results through its Arrow Database Connectivity driver (binary COPY into columns,
    in C), or None without it. The driver opens its own connection, so it sees what is committed:
    the callers read outside write transactions.

    Not for SQLite: the ADBC driver bundles its own SQLite library, and two libraries sharing one
    WAL file's lock and index was seen to give the other connections "disk I/O error" and stale reads.
    """
    url = c.engine.url
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError:
        return None
    connection = adbc.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    tables = []
    try:
        cursor = connection.cursor()
        for sql in queries:
            cursor.execute(sql)
            tables.append(cursor.fetch_arrow_table())
        cursor.close()
    finally:
        connection.close()
    # Straight from the Arrow columns to float arrays (NULL -> NaN): one conversion per column.
    return [_empty(columns) if table.num_rows == 0 else pd.DataFrame(
        {name: table.column(k).to_numpy(zero_copy_only=False).astype("float64", copy=False)
         for k, name in enumerate(columns)}, copy=False) for table in tables]


def _copy_csv(c: Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    # One text value for the whole result: COPY would hand the client one message per row, and a
    # Python call per row is what this module exists to avoid. PostgreSQL writes floats exactly
    # (shortest round-trip text since version 12); NULL becomes an empty field, NaN for pandas.
    names = [f"c{i}" for i in range(len(columns))]
    fields = ", ',', ".join(f"coalesce({name}::text, '')" for name in names)
    query = f"SELECT string_agg(concat({fields}), E'\\n') FROM ({sql}) AS q({', '.join(names)})"
    cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
    text_value = cursor.execute(query).fetchone()[0]
    if not text_value:
        return _empty(columns)
    return pd.read_csv(io.StringIO(text_value), header=None, names=columns, dtype="float64", engine="c",
                       float_precision="round_trip")


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
    raise TypeError(f"cannot write {value!r} into a literal query")

"""Fast loading of many rows into a temporary staging table.

SQLite: ``executemany`` on the DBAPI connection (the fastest path the sqlite3 module offers).
PostgreSQL: ``COPY ... FROM STDIN`` through psycopg, fed with the COPY text format built column by
column (:func:`copy_text`). Both run inside the caller's transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # the text form SQLAlchemy's SQLite DateTime reads back


def create_stage(conn: Connection, name: str, columns: dict[str, str]) -> None:
    """Create an empty temporary table; ``columns`` maps a name to a portable type word
    (``int``, ``float``, ``time``, ``text``)."""
    sqlite = conn.dialect.name == "sqlite"
    types = (
        {"int": "INTEGER", "float": "REAL", "time": "TEXT", "text": "TEXT"}
        if sqlite
        else {"int": "integer", "float": "double precision", "time": "timestamp", "text": "text"}
    )
    body = ", ".join(f"{column} {types[kind]}" for column, kind in columns.items())
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    suffix = "" if sqlite else " ON COMMIT DROP"
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({body}){suffix}")


def drop_stage(conn: Connection, name: str) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def load(conn: Connection, name: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` (columns in the table's order) to table ``name`` as fast as the driver allows.

    Time stamp columns (datetime64) may hold NaT, which becomes NULL.
    """
    if frame.empty:
        return
    dbapi = conn.connection.driver_connection
    columns = list(frame.columns)
    if conn.dialect.name == "sqlite":
        arrays = []
        for column in columns:
            series = frame[column]
            if pd.api.types.is_datetime64_any_dtype(series):
                text = series.dt.strftime(_SQLITE_TIME)
                arrays.append(text.where(series.notna(), None).tolist())
            else:
                arrays.append(series.tolist())
        placeholders = ", ".join("?" for _ in columns)
        cursor = dbapi.cursor()
        cursor.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders})", zip(*arrays, strict=True)
        )
        cursor.close()
        return
    data = copy_text(frame)
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        step = 8 << 20
        for start in range(0, len(data), step):
            copy.write(data[start : start + step])


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(frame: pd.DataFrame) -> str:
    r"""``frame`` as the text format of PostgreSQL's ``COPY``: tab-separated, ``\N`` for a missing value,
    backslash, tab and line breaks in text escaped. Numbers print as Python's ``repr`` (the shortest text
    that reads back as the same float). Column by column in bulk: five times faster than ``to_csv``.

    >>> copy_text(pd.DataFrame({"a": ["x", "tab\there"], "b": [1.5, float("nan")]}))
    'x\t1.5\ntab\\there\t\\N\n'
    """
    columns = []
    for column in frame.columns:
        series = frame[column]
        missing = series.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dt.strftime("%Y-%m-%d %H:%M:%S.%f").tolist()
        elif pd.api.types.is_numeric_dtype(series):
            values = list(map(repr, series.tolist()))
        else:
            values = list(map(str, series.tolist()))
            joined = "".join(values)  # one scan in C instead of a regex per value
            if any(special in joined for special in "\\\t\n\r"):
                values = [v.translate(_COPY_ESCAPES) for v in values]
        if missing.any():
            values = ["\\N" if gone else v for v, gone in zip(values, missing, strict=True)]
        columns.append(values)
    if not columns or not columns[0]:
        return ""
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def int_column(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="int64")

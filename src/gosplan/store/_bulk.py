"""Fast loading of many rows into a temporary staging table.

SQLite: ``executemany`` on the DBAPI connection (the fastest path the sqlite3 module offers).
PostgreSQL: ``COPY ... FROM STDIN`` through psycopg, fed with tab-separated text that pandas writes
in C. Both run inside the caller's transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import io

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
    buffer = io.StringIO()
    frame.to_csv(
        buffer,
        sep="\t",
        header=False,
        index=False,
        na_rep="\\N",
        date_format="%Y-%m-%d %H:%M:%S.%f",
        float_format=None,
        lineterminator="\n",
    )
    data = buffer.getvalue()
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        step = 8 << 20
        for start in range(0, len(data), step):
            copy.write(data[start : start + step])


def int_column(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="int64")

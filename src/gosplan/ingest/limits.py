"""How big a file the readers accept: data rows and bytes once unpacked (settings with sane defaults).

A file past a limit is refused while it is being read (rows are counted as they stream in, and a
workbook's declared unpacked size is checked before anything is unpacked), so a small file that
expands to millions of rows cannot tie up a server.

==============================  ===========  ==================================================
setting                         default      meaning
==============================  ===========  ==================================================
``GOSPLAN_MAX_IMPORT_ROWS``     1,000,000    data rows per file (header not counted)
``GOSPLAN_MAX_IMPORT_MB``       256          megabytes per file once unpacked (CSV: its size;
                                             XLSX: the zip's members; Parquet: uncompressed pages)
==============================  ===========  ==================================================

>>> Limits(rows=10, bytes=1_000_000).describe_rows()
'10 data rows (GOSPLAN_MAX_IMPORT_ROWS)'
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gosplan.errors import GosplanError

DEFAULT_ROWS = 1_000_000
DEFAULT_MB = 256
ROWS_SETTING = "GOSPLAN_MAX_IMPORT_ROWS"
MB_SETTING = "GOSPLAN_MAX_IMPORT_MB"


@dataclass(frozen=True)
class Limits:
    """The largest file a reader accepts: ``rows`` data rows and ``bytes`` unpacked bytes."""

    rows: int = DEFAULT_ROWS
    bytes: int = DEFAULT_MB * 1_000_000

    @classmethod
    def from_env(cls) -> Limits:
        """The limits set in the environment (``GOSPLAN_MAX_IMPORT_ROWS``, ``GOSPLAN_MAX_IMPORT_MB``)."""
        return cls(rows=_setting(ROWS_SETTING, DEFAULT_ROWS), bytes=_setting(MB_SETTING, DEFAULT_MB) * 1_000_000)

    def describe_rows(self) -> str:
        return f"{self.rows:,} data rows ({ROWS_SETTING})"

    def describe_bytes(self) -> str:
        return f"{megabytes(self.bytes)} unpacked ({MB_SETTING})"


def megabytes(count: int) -> str:
    """``123 MB`` (or ``36 kB`` below one megabyte).

    >>> megabytes(123_456_789), megabytes(36_000)
    ('123 MB', '36 kB')
    """
    mb = count / 1_000_000
    return f"{mb:,.0f} MB" if mb >= 1 else f"{max(count / 1000, 1):,.0f} kB"


def _setting(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise GosplanError(f"{name} must be a whole number, not {text!r}") from None
    if value <= 0:
        raise GosplanError(f"{name} must be positive, not {value}")
    return value

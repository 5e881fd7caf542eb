"""Importers: read CSV, XLSX and Parquet files, validate every row, write to the store all-or-nothing.

One validation path serves files (:func:`import_file`) and frames from the web form or the API
(:func:`import_frame`). Every problem is reported at once, with the file, the spreadsheet row
(header = row 1), the column and the reason, and nothing is written when any row is bad.

Rules worth knowing: unknown extra columns are rejected (a typo in a header must not silently drop
data); reports are monthly and may not be for a month after ``today``; values of output and input
indicators are non-negative; ``uom`` converts values into the indicator's canonical unit; codes use
only ``A-Z a-z 0-9 _ . -``; text starting with ``= + - @`` is neutralised on export.
"""

from .importer import ImportResult, check_frame, import_file, import_frame, write_template
from .kinds import KINDS, detect_kind
from .tables import read_table, write_table

__all__ = [
    "KINDS",
    "ImportResult",
    "check_frame",
    "detect_kind",
    "import_file",
    "import_frame",
    "read_table",
    "write_table",
    "write_template",
]

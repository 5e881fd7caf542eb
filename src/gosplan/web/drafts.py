"""Checked submissions waiting for "Save": kept on the server under a random token, never in the page.

The confirmation page carries only the token; the rows (any number of them: whatever passed the
check must save) stay in a private folder (mode 0700) as Parquet, with a small JSON file saying who
checked them, what kind they are and where to go afterwards. A draft belongs to the account that
checked it, is taken once, and expires after :data:`MAX_AGE` seconds. Several server processes on
one machine share the folder (it is named after the store's URL); set ``GOSPLAN_DRAFTS_DIR`` to put
it elsewhere (a folder every server process can reach, when they run on several machines).

>>> import tempfile, pandas as pd
>>> drafts = Drafts(tempfile.mkdtemp())
>>> token = drafts.put("ada", {"kind": "reports"}, pd.DataFrame({"value": ["1"]}))
>>> meta, rows = drafts.take(token, "ada")
>>> meta["kind"], rows["value"].tolist()
('reports', ['1'])
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from gosplan.errors import GosplanError, PermissionDenied

MAX_AGE = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class DraftGone(GosplanError):
    """The draft expired, was saved already, or never existed."""


class Drafts:
    """A folder of drafts: :meth:`put` returns a token, :meth:`take` gives the draft back once."""

    def __init__(self, folder: str | Path, max_age: int = MAX_AGE) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(os, "getuid"):  # a folder someone else made in a shared temporary directory is not ours
            if self.folder.stat().st_uid != os.getuid():
                raise GosplanError(f"the drafts folder {self.folder} belongs to another user; set GOSPLAN_DRAFTS_DIR")
            os.chmod(self.folder, 0o700)
        self.max_age = max_age

    @classmethod
    def for_store(cls, url: str) -> Drafts:
        """The drafts folder of the servers of the store at ``url`` (shared by their processes on one
        machine), or ``GOSPLAN_DRAFTS_DIR`` when set."""
        configured = os.environ.get("GOSPLAN_DRAFTS_DIR")
        if configured:
            return cls(configured)
        name = hashlib.sha256(b"gosplan-drafts:" + url.encode()).hexdigest()[:20]
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        return cls(Path(tempfile.gettempdir()) / f"gosplan-drafts-{uid}" / name)

    def put(self, user: str, meta: dict[str, Any], rows: pd.DataFrame) -> str:
        """Keep ``rows`` (text cells) with ``meta`` for ``user``; the token to put in the form."""
        self.sweep()
        token = secrets.token_urlsafe(32)
        rows.reset_index(drop=True).astype(str).to_parquet(self.folder / f"{token}.parquet", index=False)
        (self.folder / f"{token}.json").write_text(json.dumps({**meta, "user": user, "created": time.time()}))
        return token

    def take(self, token: str, user: str) -> tuple[dict[str, Any], pd.DataFrame]:
        """The draft of ``token`` if ``user`` checked it and it has not expired; it is removed."""
        meta_path, rows_path = self._paths(token)
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            raise DraftGone("this confirmation has expired or was saved already; please enter the data again") \
                from None
        if meta.get("user") != user:  # a draft is only ever saved by the account that checked it
            raise PermissionDenied("this confirmation belongs to another account")
        claimed = self.folder / f"{token}.{secrets.token_hex(4)}.taken"
        try:
            os.replace(meta_path, claimed)  # atomic: of two clicks on "Save" only one gets the draft
        except FileNotFoundError:
            raise DraftGone("this confirmation was saved already") from None
        try:
            if time.time() - float(meta.get("created", 0)) > self.max_age:
                raise DraftGone("this confirmation has expired; please enter the data again")
            try:
                rows = pd.read_parquet(rows_path)
            except (OSError, ValueError):
                raise DraftGone("this confirmation has expired; please enter the data again") from None
        finally:
            claimed.unlink(missing_ok=True)
            rows_path.unlink(missing_ok=True)
        return meta, rows

    def discard(self, token: str) -> None:
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def sweep(self) -> int:
        """Remove expired drafts; how many files went."""
        cutoff = time.time() - self.max_age
        removed = 0
        for path in self.folder.glob("*.*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not _TOKEN.fullmatch(token or ""):
            raise DraftGone("this confirmation is not valid; please enter the data again")
        return self.folder / f"{token}.json", self.folder / f"{token}.parquet"

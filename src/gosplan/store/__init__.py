"""Persistence of gosplan: SQLAlchemy Core tables, Alembic migrations, frames in and out.

>>> from gosplan.store import Store
>>> store = Store.open("sqlite://")          # in memory; Store.open() uses default_url()
>>> store.dialect
'sqlite'
"""

from gosplan.store._common import WriteSummary
from gosplan.store._store import Store, default_url

__all__ = ["Store", "WriteSummary", "default_url"]

"""Alembic migrations of the gosplan store (a package so that they ship inside the wheel)."""

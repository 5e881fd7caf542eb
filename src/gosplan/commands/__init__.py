"""Command groups mounted by :mod:`gosplan.cli` under ``gosplan <name>`` (a Typer ``app`` or a ``command``)."""

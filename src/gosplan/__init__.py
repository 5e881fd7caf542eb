"""gosplan: plan, balance, report, monitor and review an economy."""

__version__ = "0.1.0"

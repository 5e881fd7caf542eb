"""Proposers of the action plan; each module registers its functions with
:func:`gosplan.engines.actions.proposer` and is imported by :func:`~gosplan.engines.actions.propose`."""

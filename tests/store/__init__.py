"""Tests of gosplan.store."""

"""Tests of gosplan.ingest."""

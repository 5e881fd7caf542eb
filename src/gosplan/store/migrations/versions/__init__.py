"""Migration scripts, applied in order by Store.open."""

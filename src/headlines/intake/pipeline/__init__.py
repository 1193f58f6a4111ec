"""The steps put together: one ingest or import run, and `headlines extract` (stores nothing)."""

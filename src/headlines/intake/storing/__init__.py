"""Storing: clean articles into the database, de-duplicated, and the per-source memory of
repeated lines."""

"""Django's SQLite backend, with a write lock taken by short retries (see `base`)."""

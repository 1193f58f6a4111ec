"""Benchmarks: `make bench` runs them all (python -m benchmarks)."""


def django_setup() -> None:
    """Django set up with the project's settings (those of the environment, if it names any)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    import django

    django.setup()

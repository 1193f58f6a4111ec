from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff room: the admin home's dashboard and `headlines run`, which put every app
    together. The only app allowed to import all the others (tests/test_layout.py checks)."""

    name = "headlines.staff"
    label = "staff"
    verbose_name = "Staff"

"""`{% staff_dashboard as dashboard %}`: the admin home's data, from `staff.dashboard`.

A template tag rather than a custom AdminSite, so the admin's own index view stays untouched.
"""

from __future__ import annotations

from django import template

from headlines.staff.dashboard import Dashboard
from headlines.staff.dashboard import staff_dashboard as build

register = template.Library()


@register.simple_tag
def staff_dashboard() -> Dashboard:
    return build()

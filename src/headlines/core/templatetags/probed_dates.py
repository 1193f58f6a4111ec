"""`{% probed_date_hierarchy cl %}`: Django's date drill-down, its dates found by probes
(`core.admin_lists.ProbedChangeList`), rendered by the admin's own date_hierarchy.html."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from headlines.core.admin_lists import ProbedChangeList

register = template.Library()


def _probed(cl: Any) -> dict[str, Any] | None:
    return date_hierarchy(cast(Any, ProbedChangeList(cl)))


# As Django's own tag is made (its stubs give the node a `name` it does not take).
_Node: Any = InclusionAdminNode


@register.tag(name="probed_date_hierarchy")
def probed_date_hierarchy(parser: template.base.Parser, token: template.base.Token) -> Any:
    return _Node(
        parser, token, func=_probed, template_name="date_hierarchy.html", takes_context=False
    )

"""The dashboard's alert about reminders that some regions' managers will not receive."""

from django import template
from django.utils import timezone

from jfo_registry.core import permissions
from operations.models import Region

from .. import selectors

register = template.Library()


@register.inclusion_tag("agreements/includes/unreachable_reminders.html", takes_context=True)
def unreachable_reminders_alert(context) -> dict:
    """For administrators, every such reminder; for a regional manager, those of arrangements
    covering one of their regions; for anyone else, nothing (they cannot act on it)."""
    user = context["request"].user
    if permissions.is_administrator(user):
        items = selectors.unreachable_reminders(timezone.localdate())
    elif permissions.is_regional_manager(user):
        codes = list(Region.objects.managed_by(user).values_list("code", flat=True))
        items = selectors.unreachable_reminders(timezone.localdate(), region_codes=codes) if codes else []
    else:
        items = []
    return {"items": items, "user_is_administrator": permissions.is_administrator(user)}

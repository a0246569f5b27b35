"""Writes about users and roles, used by `set_role`, the demo accounts and the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .roles import Role


@transaction.atomic
def user_set_role(*, user, role: Role, region_codes: list[str] | tuple[str, ...] = ()) -> None:
    """Give `user` exactly one role; a regional manager also gets exactly `region_codes`.

    Only administrators are admin staff. Unknown region codes are refused, nothing changed.
    """
    from operations.models import Region

    role = Role(role)
    codes = sorted({code.strip().upper() for code in region_codes if code.strip()})
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {region.code for region in regions})
    if unknown:
        raise ValidationError(_("Unknown region code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    if codes and role != Role.REGIONAL_MANAGER:
        raise ValidationError(_("Only regional managers are given regions."))
    role_groups = Group.objects.filter(name__in=[r.group_name for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=role.group_name))
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    user.managed_regions.set(regions if role == Role.REGIONAL_MANAGER else [])
    for cache in ("_role_group_names", "_managed_region_ids"):
        user.__dict__.pop(cache, None)


def user_get(username: str):
    User = get_user_model()
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise ValidationError(_("There is no user “%(username)s”.") % {"username": username}) from None

"""Writes about users, used by `set_role`, the demo accounts and the admin.

Giving a user a role and regions is `operations.services.user_set_role` (regions are
operations' records); the foundation imports no app.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def user_get(username: str):
    """The user whose username is `username` (exact match).

    Raises ValidationError (a translated sentence naming the username) when there is none."""
    User = get_user_model()
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise ValidationError(_("There is no user “%(username)s”.") % {"username": username}) from None

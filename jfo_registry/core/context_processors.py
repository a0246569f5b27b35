from . import permissions


def registry(request):
    """The signed-in user's role, for navigation and edit controls."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_role": None}
    return {"user_role": permissions.role_of(user), "user_is_administrator": permissions.is_administrator(user)}

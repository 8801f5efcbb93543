from .access import portal_of


def role(request):
    """``portal``: what the signed-in user is and may do (``portal.sees_everything``, ``portal.society`` …), for
    navigation and headings; templates ask it instead of comparing role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"portal": portal_of(user)}

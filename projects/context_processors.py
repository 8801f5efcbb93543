from .notifications import unread_count


def notifications(request):
    """The unread count for the header's notification link (one query per page, for signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}

from .review import pending_count


def review_badge(request):
    """The secretariat's count of entries awaiting confirmation, for the header's “待确认” link: one query per
    request (kept on the request, so a page rendered twice does not count twice), none for other roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_sanlian_review_pending"):
        request._sanlian_review_pending = pending_count(user)
    return {"review_pending": request._sanlian_review_pending}

from .access import district_of, role_of, society_of


def role(request):
    """The user's role, society and district for the templates (navigation and headings)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"role": role_of(user), "my_society": society_of(user), "my_district": district_of(user)}

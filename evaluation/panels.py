"""The evaluation's parts on lower apps' pages: a contact's latest published result on "my projects"."""

from societies.access import district_of, society_of

from .models import Result


def my_result_panel(*, user, **_context) -> dict | None:
    """"My projects": the latest published result of the contact's own unit (score, rank, grade, link)."""
    if society_of(user) is None and district_of(user) is None:
        return None
    result = (Result.objects.for_user(user).filter(round__status="published").select_related("round")
              .order_by("-round__published_at", "-id").first())
    return {"template": "evaluation/_my_result.html", "order": 30, "result": result} if result else None

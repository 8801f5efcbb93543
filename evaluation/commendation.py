"""Commendation (宣传表扬, measure 16): nominations of units and individuals, pre-filled from a published round's
top grade, their way 提名 → 初审 → 领导审定 → 公布 with who and when, the notifications at each step, and on
publication a draft bulletin of kind 表扬 for the secretariat to edit and make public."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from meetings.choices import BulletinKind
from meetings.models import Bulletin
from projects.notifications import notify
from societies.access import users_with_role
from societies.choices import Role

from .choices import Grade, NominationStep, NomineeKind, UnitKind
from .models import Nomination, Result, Round

# step → (the step it follows, the fields recording who and when)
FLOW = {
    NominationStep.REVIEWED: (NominationStep.NOMINATED, "reviewed"),
    NominationStep.APPROVED: (NominationStep.REVIEWED, "approved"),
    NominationStep.PUBLISHED: (NominationStep.APPROVED, "published"),
}


class FlowError(ValueError):
    pass


def suggestions(round_: Round) -> list[Result]:
    """The units of a published round graded excellent, not yet nominated from it: the pre-filled nominations."""
    if not round_.is_published:
        return []
    taken = set(round_.nominations.filter(nominee_kind=NomineeKind.UNIT).values_list("society_id", "district_id"))
    return [row for row in round_.results.filter(grade=Grade.EXCELLENT).order_by("kind", "rank")
            if (row.society_id, row.district_id) not in taken]


def _tell(users, *, nomination: Nomination, title: str) -> None:
    url = reverse("evaluation:nomination", args=[nomination.pk])
    for user in users:
        notify(user=user, kind="commendation", title=title, body=nomination.reasons[:500], url=url)


@transaction.atomic
def nominate(*, user, **fields) -> Nomination:
    """Record a nomination (提名) and tell the secretariat. Side effects: the row, one notification per
    secretariat account."""
    nomination = Nomination.objects.create(nominated_by=user, **fields)
    _tell([person for person in users_with_role(Role.SECRETARIAT) if person.pk != user.pk], nomination=nomination,
          title=_("New nomination for commendation: {}").format(nomination.nominee))
    return nomination


def nominate_from_round(round_: Round, *, user) -> int:
    """One unit nomination for each excellent unit of a published round (reasons from its score and rank)."""
    made = 0
    with transaction.atomic():
        for row in suggestions(round_):
            owner = {"society_id": row.society_id} if row.kind == UnitKind.SOCIETY else {"district_id": row.district_id}
            nominate(user=user, round=round_, year=round_.year, nominee_kind=NomineeKind.UNIT, **owner,
                     reasons=_("Graded excellent in “{round}”: {score} points, rank {rank}.").format(
                         round=round_.name, score=row.score, rank=row.rank),
                     evidence=reverse("evaluation:round", args=[round_.pk]))
            made += 1
    return made


@transaction.atomic
def advance(nomination: Nomination, *, step: str, user) -> Nomination:
    """Move a nomination one step (初审, 领导审定, 公布) or reject it, recording who and when, and tell the next
    actor. Publishing writes a draft bulletin of kind 表扬 (not public until the secretariat makes it so)."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    now = timezone.now()
    if step == NominationStep.REJECTED:
        if nomination.step in (NominationStep.PUBLISHED, NominationStep.REJECTED):
            raise FlowError(_("This nomination can no longer be changed."))
        nomination.step = step
        nomination.save(update_fields=["step"])
        return nomination
    if step not in FLOW:
        raise FlowError(_("Unknown step."))
    before, prefix = FLOW[step]
    if nomination.step != before:
        raise FlowError(_("This nomination is at “{}”: that step cannot be taken now.").format(
            nomination.get_step_display()))
    nomination.step = step
    setattr(nomination, prefix + "_by", user)
    setattr(nomination, prefix + "_at", now)
    fields = ["step", prefix + "_by", prefix + "_at"]
    if step == NominationStep.PUBLISHED:
        nomination.bulletin = draft_bulletin([nomination], user=user)
        fields.append("bulletin")
    nomination.save(update_fields=fields)
    if step == NominationStep.REVIEWED:
        _tell(users_with_role(Role.LEADER), nomination=nomination,
              title=_("A nomination awaits the leadership's approval: {}").format(nomination.nominee))
    elif step == NominationStep.APPROVED:
        _tell(users_with_role(Role.SECRETARIAT), nomination=nomination,
              title=_("Commendation approved: {}").format(nomination.nominee))
    elif nomination.nominated_by is not None:
        _tell([nomination.nominated_by], nomination=nomination,
              title=_("Commendation published: {}").format(nomination.nominee))
    return nomination


def draft_bulletin(nominations: list[Nomination], *, user) -> Bulletin:
    """A draft 表扬 bulletin (not public) naming the commended units and people with their reasons."""
    year = nominations[0].year
    items = "".join("<li><strong>{}</strong>：{}</li>".format(escape(item.nominee), escape(item.reasons))
                    for item in nominations)
    body = "<p>{}</p><ul>{}</ul>".format(escape(_(
        "For their outstanding contribution to the joint work of the “三联三促” action, the following units and "
        "individuals are commended.")), items)
    return Bulletin.objects.create(kind=BulletinKind.PRAISE, title=_("Commendation of {year}").format(year=year),
                                   body=body, is_public=False, author=user)

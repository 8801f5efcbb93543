"""Editing needs and moving them along: record (a partner created if new), assign experts and units (their
society's contacts notified), record a visit (an expert service; an outcome of kind service on the need's key
project), close as solved or not solved with the enterprise's feedback."""

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.choices import OutcomeKind
from projects.models import ActivityOutcome
from projects.notifications import notify
from societies.choices import PartnerKind, Role
from societies.models import Expert, Partner, Profile, UpperUnit, name_key

from .choices import NeedStatus
from .models import Need, NeedMatch, NeedVisit

NOTIFY_KIND = "need_assigned"


def partner_named(name: str) -> Partner:
    """The partner of this name (by its matching key), created as an enterprise if new."""
    name = " ".join(name.split())
    partner = Partner.objects.filter(name_key=name_key(name)).first()
    if partner is None:
        partner = Partner.objects.create(name=name, kind=PartnerKind.ENTERPRISE)
    return partner


@transaction.atomic
def save_need(need: Need | None, *, user: User, partner_name: str, fields: dict) -> Need:
    """Create or change a need; the enterprise is found by name or created. Side effects: a Partner row if new."""
    need = need or Need(created_by=user if getattr(user, "pk", None) else None)
    need.partner = partner_named(partner_name)
    for name, value in fields.items():
        setattr(need, name, value)
    need.title_key = name_key(need.title)  # checked with the enterprise by the unique constraint
    need.full_clean()
    need.save()
    return need


def society_contacts(expert: Expert) -> list[User]:
    """The active accounts of the expert's society contacts."""
    if expert.society_id is None:
        return []
    return [profile.user for profile in Profile.objects.select_related("user").filter(
        society_id=expert.society_id, user__is_active=True, user__groups__name=Role.SOCIETY).distinct()]


@transaction.atomic
def assign(need: Need, *, user: User, experts=(), upper_units=(), on: date | None = None) -> list[NeedMatch]:
    """Assign experts and upper-level units to a need (the ones already assigned are kept once). The need moves
    收集 → 已对接 (matched on ``on``). Side effects: NeedMatch rows; a notification to each contact of each new
    expert's society."""
    if need.is_closed:
        raise ValidationError(_("This need is closed."))
    on = on or timezone.localdate()
    made = []
    for expert in experts:
        match, new = NeedMatch.objects.get_or_create(need=need, expert=expert,
                                                     defaults={"assigned_by": user, "assigned_on": on})
        if new:
            made.append(match)
    for unit in upper_units:
        match, new = NeedMatch.objects.get_or_create(need=need, upper_unit=unit,
                                                     defaults={"assigned_by": user, "assigned_on": on})
        if new:
            made.append(match)
    if made and need.status == NeedStatus.COLLECTED:
        need.status, need.matched_on = NeedStatus.MATCHED, on
        need.save(update_fields=["status", "matched_on"])
    for match in made:
        if match.expert_id is None:
            continue
        for contact in society_contacts(match.expert):
            notify(user=contact, kind=NOTIFY_KIND, subject=match, target_date=on,
                   title=_("Expert {expert} assigned to a need of {enterprise}").format(
                       expert=match.expert.name, enterprise=need.partner.name),
                   body="{}\n\n{}".format(need.title, need.description),
                   url=need.get_absolute_url())
    return made


@transaction.atomic
def record_visit(need: Need, *, user: User, held_on: date, experts=(), person_times: int | None = None,
                 notes: str = "") -> NeedVisit:
    """Record a visit (走访) that served the need; the need moves to 已走访. Side effects: a NeedVisit row; when the
    need belongs to a key project, an ActivityOutcome of kind service there (awaiting confirmation)."""
    if need.status not in (NeedStatus.MATCHED, NeedStatus.VISITED):
        raise ValidationError(_("Assign an expert or a unit before recording a visit."))
    experts = list(experts)
    person_times = len(experts) if person_times is None else person_times
    visit = NeedVisit.objects.create(need=need, held_on=held_on, person_times=person_times, notes=notes,
                                     entered_by=user)
    visit.experts.set(experts)
    if need.project_id is not None:
        outcome = ActivityOutcome.objects.create(
            project=need.project, held_on=held_on, kind=OutcomeKind.SERVICE,
            title=_("Expert visit: {title}").format(title=need.title)[:300], expert_person_times=person_times,
            served_count=1, served_names=need.partner.name, description=notes, entered_by=user)
        outcome.experts.set(experts)
        if need.industry_id:
            outcome.industries.set([need.industry_id])
        visit.outcome = outcome
        visit.save(update_fields=["outcome"])
    if need.status == NeedStatus.MATCHED or need.visited_on is None:
        need.status = NeedStatus.VISITED
        need.visited_on = min(held_on, need.visited_on or held_on)
        need.save(update_fields=["status", "visited_on"])
    return visit


@transaction.atomic
def close(need: Need, *, user: User, solved: bool, reason: str = "", satisfaction: int | None = None,
          comment: str = "", on: date | None = None) -> Need:
    """Close a need as 已解决 (after a visit) or 未解决 (a reason required), with the enterprise's feedback."""
    reason = reason.strip()
    if solved and need.status != NeedStatus.VISITED:
        raise ValidationError(_("A need is solved after a visit has been recorded."))
    if not solved and not reason:
        raise ValidationError(_("Give the reason the need was not solved."))
    if need.is_closed:
        raise ValidationError(_("This need is closed."))
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError(_("Satisfaction is from 1 to 5."))
    need.status = NeedStatus.SOLVED if solved else NeedStatus.UNSOLVED
    need.reason = "" if solved else reason
    need.satisfaction, need.feedback = satisfaction, comment.strip()
    need.closed_on = on or timezone.localdate()
    need.save(update_fields=["status", "reason", "satisfaction", "feedback", "closed_on"])
    return need


def upper_units_for(ids) -> list[UpperUnit]:
    return list(UpperUnit.objects.filter(pk__in=ids))

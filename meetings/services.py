"""Domain operations on joint meetings, decisions and bulletins.

Invitations and decision reminders go out through the portal's one delivery path (``projects.notifications``):
ledger-keyed (each once per person and stage), e-mailed by the worker with retries, never inside the request.
"""

from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from projects.choices import NotificationLevel
from projects.notifications import ledger_key, message_for, people, send_batch
from sanlian.ical import Event, calendar
from sanlian.uploads import check_uploads, files_with_transaction, store_uploads
from societies.access import district_of, society_of
from societies.choices import Role
from societies.models import District, Society

from .choices import DecisionStatus, MeetingStatus
from .models import AgendaItem, Bulletin, Decision, Document, Invitation, JointMeeting

FOLLOW_UP_TITLE = "上次会议议定事项落实情况"


def previous_meeting(meeting: JointMeeting | None = None) -> JointMeeting | None:
    meetings = JointMeeting.objects.exclude(status=MeetingStatus.CANCELLED)
    if meeting is not None:
        meetings = meetings.filter(held_on__lt=meeting.held_on).exclude(pk=meeting.pk)
    return meetings.order_by("-held_on", "-id").first()


@transaction.atomic
def schedule_meeting(*, user, half: str, held_on: date, starts_at: time | None = None, ends_at: time | None = None,
                     place: str = "", chair: str = "", agenda: list[str] = ()) -> JointMeeting:
    """A new joint meeting: every active society and every district association invited, the agenda opened with
    the follow-up of the last meeting's open decisions, then ``agenda``. Invitations go out after commit."""
    last = previous_meeting()
    meeting = JointMeeting(half=half, held_on=held_on, starts_at=starts_at, ends_at=ends_at, place=place, chair=chair,
                           created_by=user)
    meeting._history_user = user
    meeting.save()
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, society=society) for society in Society.objects.filter(is_active=True)]
        + [Invitation(meeting=meeting, district=district) for district in District.objects.all()])
    items = []
    if last is not None:
        open_decisions = list(last.decisions.filter(status=DecisionStatus.OPEN))
        if open_decisions:
            items.append(AgendaItem(meeting=meeting, title=FOLLOW_UP_TITLE))
            items += [AgendaItem(meeting=meeting, title="{}：{}".format(decision.owner or "", decision.text[:250]),
                                 follow_up_of=decision) for decision in open_decisions]
    items += [AgendaItem(meeting=meeting, title=title) for title in agenda if title.strip()]
    for order, item in enumerate(items):
        item.order = order
    AgendaItem.objects.bulk_create(items)
    send_invitations(meeting)
    return meeting


def meeting_ics(meeting: JointMeeting) -> str:
    """The meeting as an iCalendar invitation: a timed event from its start to its end (Asia/Shanghai, written in
    UTC); a meeting stored without times stays an all-day event."""
    start, end = meeting.starts, meeting.ends
    event = Event(uid="meeting-{}".format(meeting.pk), summary=str(meeting), start=start or meeting.held_on,
                  end=end if start else None, location=meeting.place, path=meeting.get_absolute_url())
    return calendar([event], product="meetings", method="REQUEST")


def invited_users(meeting: JointMeeting):
    """The active accounts of the invited societies and district associations."""
    societies = meeting.invitations.filter(society__isnull=False).values("society_id")
    districts = meeting.invitations.filter(district__isnull=False).values("district_id")
    return User.objects.filter(Q(profile__society__in=societies) | Q(profile__district__in=districts),
                               is_active=True).distinct().order_by("pk")


def send_invitations(meeting: JointMeeting) -> dict:
    """A notification to every contact of the invited units, e-mailed with the meeting's .ics — each person once
    (ledger-keyed on the meeting and its date). Returns the counts of ``send_batch``."""
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Invitation: {meeting} on {day}").format(meeting=meeting, day=meeting.when)
        body = gettext("You are invited to the {meeting} on {day} at {place}. Please confirm your attendance in the "
                       "portal.").format(meeting=meeting, day=meeting.when, place=meeting.place or "—")
        ics = meeting_ics(meeting)
    letters = [(ledger_key(meeting, meeting.pk, "meeting_invitation", 0, meeting.held_on, recipient.key),
                message_for(recipient, kind="meeting_invitation", title=title, body=body,
                            url=meeting.get_absolute_url(), calendar=ics))
               for recipient in people(invited_users(meeting))]
    return send_batch(letters)


def answer_invitation(invitation: Invitation, *, attendance: str, attendee: str = "") -> Invitation:
    """A unit confirms or declines (or the secretariat records who was there)."""
    invitation.attendance, invitation.attendee = attendance, attendee
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["attendance", "attendee", "answered_at"])
    return invitation


@transaction.atomic
def record_attendance(meeting: JointMeeting, *, user, rows: list[dict]) -> int:
    """The secretariat's attendance table in one save: ``rows`` of ``{"invitation", "attendance", "attendee"}``
    (checked by ``AttendanceFormSet``). Only changed rows are written (with history); all or nothing. Returns how
    many rows changed."""
    locked = meeting.invitations.order_by("pk").select_for_update()  # no ordering join: PostgreSQL locks no outer join
    invitations = {invitation.pk: invitation for invitation in
                   locked.filter(pk__in=[row["invitation"] for row in rows])}
    changed = 0
    for row in rows:
        invitation = invitations[row["invitation"]]
        attendee = (row.get("attendee") or "").strip()
        if (invitation.attendance, invitation.attendee) == (row["attendance"], attendee):
            continue
        invitation.attendance, invitation.attendee = row["attendance"], attendee
        invitation.answered_at = timezone.now()
        invitation._history_user = user
        invitation.save(update_fields=["attendance", "attendee", "answered_at"])
        changed += 1
    return changed


def own_invitation(meeting: JointMeeting, user) -> Invitation | None:
    society, district = society_of(user), district_of(user)
    if society is not None:
        return meeting.invitations.filter(society=society).first()
    if district is not None:
        return meeting.invitations.filter(district=district).first()
    return None


def save_minutes(meeting: JointMeeting, *, user, minutes: str, status: str | None = None, files=()) -> JointMeeting:
    """The minutes (sanitised) and the meeting's status; files checked like every upload, nothing half-stored."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        meeting.minutes = minutes
        if status:
            meeting.status = status
        meeting._history_user = user
        meeting.save()
        store_uploads(Document, checked, stored, meeting=meeting, uploaded_by=user)
    return meeting


DECISION_ASSIGNED = "decision_assigned"


@transaction.atomic
def add_decision(meeting: JointMeeting, *, user, text: str, society=None, district=None,
                 deadline: date | None = None) -> Decision:
    """Record a decision of ``meeting`` owned by a society or a district association, and tell that unit's
    contacts (``tell_owner_of_decision``) in the same transaction."""
    decision = Decision(meeting=meeting, text=text, society=society, district=district, deadline=deadline)
    decision._history_user = user
    decision.save()
    tell_owner_of_decision(decision)
    return decision


def owner_accounts(decision: Decision):
    """The active contact accounts of the unit that owns ``decision`` (its society's or its district's)."""
    if decision.society_id:
        accounts = User.objects.filter(groups__name=Role.SOCIETY, profile__society=decision.society_id)
    elif decision.district_id:
        accounts = User.objects.filter(groups__name=Role.DISTRICT, profile__district=decision.district_id)
    else:
        return User.objects.none()
    return accounts.filter(is_active=True).distinct().order_by("pk")


def tell_owner_of_decision(decision: Decision) -> dict:
    """A notification (and e-mail) to each contact of the decision's owner unit that a meeting decision names it —
    once per decision and person (ledger-keyed), whatever re-runs. Returns the counts of ``send_batch``."""
    meeting = decision.meeting
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Decision of the {meeting} for {unit}").format(meeting=meeting, unit=decision.owner)
        deadline = decision.deadline.isoformat() if decision.deadline else gettext("no deadline")
        body = gettext("The {meeting} decided: {text} Owner: {unit}; deadline: {deadline}. Please report its "
                       "follow-up to the secretariat.").format(meeting=meeting, text=decision.text,
                                                               unit=decision.owner, deadline=deadline)
    letters = [(ledger_key(decision, decision.pk, DECISION_ASSIGNED, 0, meeting.held_on, recipient.key),
                message_for(recipient, kind=DECISION_ASSIGNED, level=NotificationLevel.INFO, title=title, body=body,
                            url=decision.get_absolute_url()))
               for recipient in people(owner_accounts(decision))]
    return send_batch(letters)


def update_decision(decision: Decision, *, user, status: str, follow_up: str = "") -> Decision:
    decision.status, decision.follow_up = status, follow_up
    decision._history_user = user
    decision.save(update_fields=["status", "follow_up"])
    return decision


def open_decisions_for(user):
    """Open decisions owned by the user's society or district (shown on "my projects")."""
    society, district = society_of(user), district_of(user)
    decisions = Decision.objects.for_user(user).filter(status=DecisionStatus.OPEN).select_related("meeting")
    if society is not None:
        return decisions.filter(society=society)
    if district is not None:
        return decisions.filter(district=district)
    return decisions.none()


def remind_decisions(*, today: date | None = None, days_before: int = 7) -> int:
    """Remind the owners of open decisions due within ``days_before`` days or overdue — once per decision, stage and
    person (ledger-keyed, whatever re-runs). Returns how many notifications were written."""
    today = today or timezone.localdate()
    decisions = list(Decision.objects.filter(status=DecisionStatus.OPEN, deadline__isnull=False,
                                             deadline__lte=today + timedelta(days=days_before))
                     .select_related("meeting", "society", "district"))
    owners: dict[tuple, list[User]] = {}
    accounts = User.objects.filter(is_active=True).filter(
        Q(profile__society__in={d.society_id for d in decisions if d.society_id})
        | Q(profile__district__in={d.district_id for d in decisions if d.district_id})
    ).select_related("profile").order_by("pk")
    for account in accounts:
        owners.setdefault(("society", account.profile.society_id), []).append(account)
        owners.setdefault(("district", account.profile.district_id), []).append(account)
    letters = []
    with translation.override(settings.LANGUAGE_CODE):
        for decision in decisions:
            overdue = decision.deadline < today
            kind = "decision_overdue" if overdue else "decision_due"
            title = (gettext("Overdue decision of the {meeting}") if overdue else
                     gettext("Decision of the {meeting} due soon")).format(meeting=decision.meeting)
            body = gettext("{text} (deadline {deadline})").format(text=decision.text,
                                                                   deadline=decision.deadline.isoformat())
            unit = ("society", decision.society_id) if decision.society_id else ("district", decision.district_id)
            for recipient in people(owners.get(unit, [])):
                letters.append((ledger_key(decision, decision.pk, kind, 0, decision.deadline, recipient.key),
                                message_for(recipient, kind=kind, title=title, body=body,
                                            url=decision.get_absolute_url(),
                                            level=NotificationLevel.RED if overdue else NotificationLevel.YELLOW)))
    return send_batch(letters)["notifications"]


def publish_bulletin(*, user, kind: str, title: str, body: str, is_public: bool, files=()) -> Bulletin:
    """Publish a bulletin (sanitised) with its files; nothing stored if a file is refused."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        bulletin = Bulletin(kind=kind, title=title, body=body, is_public=is_public, author=user,
                            society=society_of(user))
        bulletin._history_user = user
        bulletin.save()
        store_uploads(Document, checked, stored, bulletin=bulletin, uploaded_by=user)
    return bulletin


def edit_bulletin(bulletin: Bulletin, *, user, kind: str, title: str, body: str, is_public: bool,
                  files=()) -> Bulletin:
    """Change a bulletin (sanitised, history kept) and add files; nothing stored if a file is refused."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        bulletin.kind, bulletin.title, bulletin.body, bulletin.is_public = kind, title, body, is_public
        bulletin._history_user = user
        bulletin.save()
        store_uploads(Document, checked, stored, bulletin=bulletin, uploaded_by=user)
    return bulletin


def withdraw_bulletin(bulletin: Bulletin, *, user, withdraw: bool = True) -> Bulletin:
    """Withdraw a bulletin (only its author and the secretariat still see it; gone from the list and the feed) or,
    with ``withdraw=False``, publish it again. History records who did it."""
    bulletin.withdrawn_at = timezone.now() if withdraw else None
    bulletin._history_user = user
    bulletin.save(update_fields=["withdrawn_at"])
    return bulletin


def save_documents(meeting: JointMeeting, *, user, society=None, files=()) -> None:
    """Files handed in for a meeting (a society's own report when ``society``), all or nothing."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        store_uploads(Document, checked, stored, meeting=meeting, society=society, uploaded_by=user)

"""Domain operations on joint meetings, decisions and bulletins."""

import logging
from datetime import date, timedelta
from pathlib import Path

import nh3
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from projects.services import check_attachment, files_with_transaction, ics_fold, ics_text, notify
from societies.access import district_of, society_of
from societies.models import District, Society

from .choices import DecisionStatus, MeetingStatus
from .models import AgendaItem, Bulletin, Decision, Document, Invitation, JointMeeting

logger = logging.getLogger(__name__)
FOLLOW_UP_TITLE = "上次会议议定事项落实情况"
SAFE_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a",
             "table", "thead", "tbody", "tr", "th", "td", "span", "div"}


def clean_html(text: str) -> str:
    """Formatted text with everything that could run removed (scripts, event handlers, javascript: links)."""
    return nh3.clean(text or "", tags=SAFE_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https",
                                                                                                   "mailto"},
                     link_rel="noopener noreferrer nofollow")


def previous_meeting(meeting: JointMeeting | None = None) -> JointMeeting | None:
    meetings = JointMeeting.objects.exclude(status=MeetingStatus.CANCELLED)
    if meeting is not None:
        meetings = meetings.filter(held_on__lt=meeting.held_on).exclude(pk=meeting.pk)
    return meetings.order_by("-held_on", "-id").first()


@transaction.atomic
def schedule_meeting(*, user, half: str, held_on: date, place: str = "", chair: str = "",
                     agenda: list[str] = ()) -> JointMeeting:
    """A new joint meeting: every active society and every district association invited, the agenda opened with
    the follow-up of the last meeting's open decisions, then ``agenda``. Invitations go out after commit."""
    last = previous_meeting()
    meeting = JointMeeting(half=half, held_on=held_on, place=place, chair=chair, created_by=user)
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
    transaction.on_commit(lambda: send_invitations(meeting))
    return meeting


def meeting_ics(meeting: JointMeeting) -> str:
    """The meeting as an iCalendar event (all day, Asia/Shanghai)."""
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "sanlian"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sanlian//meetings//ZH", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:meeting-{}@{}".format(meeting.pk, host), "DTSTAMP:" + timezone.now().strftime("%Y%m%dT%H%M%SZ"),
             "DTSTART;VALUE=DATE:" + meeting.held_on.strftime("%Y%m%d"),
             "DTEND;VALUE=DATE:" + (meeting.held_on + timedelta(days=1)).strftime("%Y%m%d"),
             "SUMMARY:" + ics_text(str(meeting)), "LOCATION:" + ics_text(meeting.place),
             "URL:" + settings.SITE_URL + meeting.get_absolute_url(), "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(ics_fold(line) for line in lines) + "\r\n"


def invited_users(meeting: JointMeeting):
    societies = meeting.invitations.filter(society__isnull=False).values("society_id")
    districts = meeting.invitations.filter(district__isnull=False).values("district_id")
    return User.objects.filter(is_active=True).filter(
        profile__society__in=societies) | User.objects.filter(is_active=True, profile__district__in=districts)


def send_invitations(meeting: JointMeeting) -> int:
    """In-app notification (once per person, ledger-keyed) and an e-mail with the .ics for every contact of the
    invited units. A failing mail server is logged, never raised."""
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Invitation: {meeting} on {day}").format(meeting=meeting, day=meeting.held_on.isoformat())
        body = gettext("You are invited to the {meeting} on {day} at {place}. Please confirm your attendance in the "
                       "portal.").format(meeting=meeting, day=meeting.held_on.isoformat(), place=meeting.place or "—")
        ics = meeting_ics(meeting)
        for user in invited_users(meeting).distinct():
            if notify(user=user, kind="meeting_invitation", title=title, body=body, url=meeting.get_absolute_url(),
                      subject=meeting, target_date=meeting.held_on, send_email=False) is None:
                continue
            sent += 1
            if user.email:
                message = EmailMessage(subject=title, body=body + "\n\n" + settings.SITE_URL +
                                       meeting.get_absolute_url(), to=[user.email])
                message.attach("meeting.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
                try:
                    message.send()
                except OSError:
                    logger.exception("invitation e-mail to %s failed", user.email)
    return sent


def answer_invitation(invitation: Invitation, *, attendance: str, attendee: str = "") -> Invitation:
    """A unit confirms or declines (or the secretariat records who was there)."""
    invitation.attendance, invitation.attendee = attendance, attendee
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["attendance", "attendee", "answered_at"])
    return invitation


def own_invitation(meeting: JointMeeting, user) -> Invitation | None:
    society, district = society_of(user), district_of(user)
    if society is not None:
        return meeting.invitations.filter(society=society).first()
    if district is not None:
        return meeting.invitations.filter(district=district).first()
    return None


def save_minutes(meeting: JointMeeting, *, user, minutes: str, status: str | None = None, files=()) -> JointMeeting:
    """The minutes (sanitised) and the meeting's status; files checked like every upload, nothing half-stored."""
    checked = [(upload, check_attachment(upload)) for upload in files]
    with files_with_transaction() as stored:
        meeting.minutes = clean_html(minutes)
        if status:
            meeting.status = status
        meeting._history_user = user
        meeting.save()
        store_documents(checked, stored, meeting=meeting, uploaded_by=user)
    return meeting


def store_documents(checked, stored: list[str], **links) -> None:
    for upload, content_type in checked:
        document = Document(original_name=Path(upload.name).name[:255], content_type=content_type, size=upload.size,
                            **links)
        document.file.save(upload.name, upload, save=False)
        stored.append(document.file.name)
        document.save()


def add_decision(meeting: JointMeeting, *, user, text: str, society=None, district=None,
                 deadline: date | None = None) -> Decision:
    decision = Decision(meeting=meeting, text=text, society=society, district=district, deadline=deadline)
    decision._history_user = user
    decision.save()
    return decision


def update_decision(decision: Decision, *, user, status: str, follow_up: str = "") -> Decision:
    decision.status, decision.follow_up = status, follow_up
    decision._history_user = user
    decision.save(update_fields=["status", "follow_up"])
    return decision


def open_decisions_for(user):
    """Open decisions owned by the user's society or district (shown on "my projects")."""
    society, district = society_of(user), district_of(user)
    decisions = Decision.objects.filter(status=DecisionStatus.OPEN).select_related("meeting")
    if society is not None:
        return decisions.filter(society=society)
    if district is not None:
        return decisions.filter(district=district)
    return decisions.none()


def remind_decisions(*, today: date | None = None, days_before: int = 7) -> int:
    """Remind the owners of open decisions due within ``days_before`` days or overdue — once per decision, stage and
    person (the reminders' ledger keeps it exactly once, whatever re-runs)."""
    today = today or timezone.localdate()
    sent = 0
    decisions = Decision.objects.filter(status=DecisionStatus.OPEN, deadline__isnull=False,
                                        deadline__lte=today + timedelta(days=days_before)).select_related(
        "meeting", "society", "district")
    with translation.override(settings.LANGUAGE_CODE):
        for decision in decisions:
            overdue = decision.deadline < today
            owners = User.objects.filter(is_active=True).filter(
                **({"profile__society": decision.society} if decision.society_id else
                   {"profile__district": decision.district}))
            for user in owners:
                title = (gettext("Overdue decision of the {meeting}") if overdue else
                         gettext("Decision of the {meeting} due soon")).format(meeting=decision.meeting)
                body = gettext("{text} (deadline {deadline})").format(text=decision.text,
                                                                       deadline=decision.deadline.isoformat())
                if notify(user=user, kind="decision_overdue" if overdue else "decision_due", title=title, body=body,
                          url=decision.get_absolute_url(), subject=decision, target_date=decision.deadline,
                          level="red" if overdue else "yellow") is not None:
                    sent += 1
    return sent


def publish_bulletin(*, user, kind: str, title: str, body: str, is_public: bool, files=()) -> Bulletin:
    """Publish a bulletin (sanitised) with its files; nothing stored if a file is refused."""
    checked = [(upload, check_attachment(upload)) for upload in files]
    with files_with_transaction() as stored:
        bulletin = Bulletin(kind=kind, title=title, body=clean_html(body), is_public=is_public, author=user,
                            society=society_of(user))
        bulletin._history_user = user
        bulletin.save()
        store_documents(checked, stored, bulletin=bulletin, uploaded_by=user)
    return bulletin


def sync_decision_schedule() -> str:
    """The daily beat entry that reminds decision owners (after the project reminders)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab, _created = CrontabSchedule.objects.get_or_create(minute="45", hour="8", day_of_week="*",
                                                             day_of_month="*", month_of_year="*",
                                                             timezone=settings.TIME_ZONE)
    PeriodicTask.objects.update_or_create(name="sanlian: decision reminders", defaults={
        "task": "sanlian.meetings.remind_decisions", "crontab": crontab, "kwargs": "{}", "enabled": True})
    return gettext("Decision reminders: daily at 08:45 (Asia/Shanghai).")




def save_documents(meeting: JointMeeting, *, user, society=None, files=()) -> None:
    """Files handed in for a meeting (a society's own report when ``society``), all or nothing."""
    checked = [(upload, check_attachment(upload)) for upload in files]
    with files_with_transaction() as stored:
        store_documents(checked, stored, meeting=meeting, society=society, uploaded_by=user)

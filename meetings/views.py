"""Meeting and bulletin pages: thin views over ``meetings.access`` and ``meetings.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sanlian.files import private_file_response
from sanlian.forms import search_param
from sanlian.paging import paginate

from . import services
from .access import can_edit_bulletin, can_manage_meetings, can_publish
from .choices import BulletinKind
from .forms import (AnswerForm, AttendanceFormSet, BulletinForm, DecisionForm, DecisionStatusForm, DocumentForm,
                    MeetingForm, MinutesForm)
from .models import Bulletin, Decision, Document, JointMeeting


def _manager(request) -> None:
    if not can_manage_meetings(request.user):
        raise Http404


@login_required
@require_GET
def meeting_list(request):
    meetings = JointMeeting.objects.for_user(request.user)
    return render(request, "meetings/jointmeeting_list.html", {
        "meetings": meetings.prefetch_related("decisions"), "can_manage": can_manage_meetings(request.user)})


@login_required
def meeting_create(request):
    _manager(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = services.schedule_meeting(user=request.user, half=data["half"], held_on=data["held_on"],
                                            starts_at=data["starts_at"], ends_at=data["ends_at"],
                                            place=data["place"], chair=data["chair"],
                                            agenda=data["agenda"].splitlines())
        messages.success(request, _("The meeting was scheduled and the invitations sent."))
        return redirect(meeting)
    return render(request, "meetings/jointmeeting_form.html", {"form": form}, status=400 if form.errors else 200)


def _attendance_table(meeting: JointMeeting, data=None):
    """The attendance formset of a meeting and its rows paired with their invitations (for the one table)."""
    invitations = list(meeting.invitations.select_related("society", "district"))
    formset = AttendanceFormSet(data, prefix="attendance", invitation_ids=[i.pk for i in invitations], initial=[
        {"invitation": i.pk, "attendance": i.attendance, "attendee": i.attendee} for i in invitations])
    by_pk = {i.pk: i for i in invitations}
    rows = []
    for form in formset.forms:
        value = form["invitation"].value()
        try:
            invitation = by_pk.get(int(value))
        except (TypeError, ValueError):
            invitation = None
        rows.append((invitation, form))
    return formset, rows


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    manage = can_manage_meetings(request.user)
    own = services.own_invitation(meeting, request.user)
    formset, rows = _attendance_table(meeting) if manage else (None, [])
    return render(request, "meetings/jointmeeting_detail.html", {
        "meeting": meeting, "can_manage": manage, "own": own,
        "answer_form": AnswerForm(initial={"attendance": own.attendance, "attendee": own.attendee}) if own else None,
        "attendance_formset": formset, "attendance_rows": rows,
        "invitations": meeting.invitations.select_related("society", "district"),
        "agenda": meeting.agenda.all(),
        "decisions": meeting.decisions.select_related("society", "district"),
        "documents": Document.objects.for_user(request.user).filter(meeting=meeting).select_related("society"),
        "decision_form": DecisionForm() if manage else None,
        "minutes_form": MinutesForm(initial={"status": meeting.status, "minutes": meeting.minutes}) if manage else None,
        "document_form": DocumentForm() if own and own.society_id else None,
        "statuses": Decision._meta.get_field("status").choices,
    })


@login_required
@require_POST
def meeting_answer(request, pk: int):
    """The user's unit confirms or declines the invitation."""
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    own = services.own_invitation(meeting, request.user)
    if own is None:
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.answer_invitation(own, **form.cleaned_data)
        messages.success(request, _("Your answer was saved."))
    else:
        messages.error(request, _("Choose one of the listed answers."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    """The attendance table in one save: every row valid, or nothing stored and the table shown with its errors."""
    _manager(request)
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    formset, rows = _attendance_table(meeting, request.POST)
    if not formset.is_valid():
        return render(request, "meetings/attendance_form.html", {
            "meeting": meeting, "attendance_formset": formset, "attendance_rows": rows}, status=400)
    changed = services.record_attendance(meeting, user=request.user, rows=[form.cleaned_data for form in formset])
    messages.success(request, _("Attendance saved ({} changed).").format(changed))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#attendance")


@login_required
def meeting_minutes(request, pk: int):
    _manager(request)
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    form = MinutesForm(request.POST or None, request.FILES or None,
                       initial={"status": meeting.status, "minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        services.save_minutes(meeting, user=request.user, **form.cleaned_data)
        messages.success(request, _("The minutes were saved."))
        return redirect(meeting)
    return render(request, "meetings/minutes_form.html", {"meeting": meeting, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def decision_add(request, pk: int):
    _manager(request)
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/decision_form.html", {"meeting": meeting, "form": form}, status=400)
    services.add_decision(meeting, user=request.user, **form.cleaned_data)
    messages.success(request, _("The decision was added."))
    return redirect(meeting)


@login_required
@require_POST
def decision_status(request, pk: int):
    _manager(request)
    decision = get_object_or_404(Decision.objects.for_user(request.user), pk=pk)
    form = DecisionStatusForm(request.POST)
    if form.is_valid():
        services.update_decision(decision, user=request.user, **form.cleaned_data)
        messages.success(request, _("The decision was updated."))
    else:
        messages.error(request, _("Choose one of the listed statuses."))
    return redirect(decision.meeting)


@login_required
@require_POST
def document_upload(request, pk: int):
    """A society hands in its own report for the meeting (seen by it, the secretariat and the leadership)."""
    meeting = get_object_or_404(JointMeeting.objects.for_user(request.user), pk=pk)
    own = services.own_invitation(meeting, request.user)
    if own is None or own.society_id is None:
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.save_documents(meeting, user=request.user, society=own.society, files=form.cleaned_data["files"])
        messages.success(request, _("The file was handed in."))
    else:
        messages.error(request, " ".join(str(error) for error in form.errors.get("files", [])))
    return redirect(meeting)


@require_GET
def document_download(request, pk: int):
    document = get_object_or_404(Document.objects.for_user(request.user), pk=pk)
    return private_file_response(document.file, filename=document.original_name, content_type=document.content_type)


# --- bulletins ------------------------------------------------------------------------------------------------------
@require_GET
def bulletin_list(request):
    bulletins = Bulletin.objects.for_user(request.user).select_related("society")
    query = search_param(request.GET.get("q"))
    for word in query.split()[:5]:
        bulletins = bulletins.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if (kind := request.GET.get("kind")) in BulletinKind.values:
        bulletins = bulletins.filter(kind=kind)
    listing = paginate(request, bulletins, 30)
    return render(request, "meetings/bulletin_list.html", {
        **listing.context(), "query": query, "kinds": BulletinKind.choices, "can_publish": can_publish(request.user)})


@require_GET
def bulletin_detail(request, pk: int):
    bulletin = get_object_or_404(Bulletin.objects.for_user(request.user).select_related("society", "author"), pk=pk)
    return render(request, "meetings/bulletin_detail.html", {
        "bulletin": bulletin, "documents": Document.objects.for_user(request.user).filter(bulletin=bulletin),
        "can_edit": can_edit_bulletin(request.user, bulletin)})


def _editable_bulletin(request, pk: int) -> Bulletin:
    """A bulletin the user may edit: anyone else gets 404, as for a bulletin they cannot see."""
    bulletin = get_object_or_404(Bulletin.objects.for_user(request.user), pk=pk)
    if not can_edit_bulletin(request.user, bulletin):
        raise Http404
    return bulletin


@login_required
def bulletin_edit(request, pk: int):
    bulletin = _editable_bulletin(request, pk)
    form = BulletinForm(request.POST or None, request.FILES or None, initial={
        "kind": bulletin.kind, "title": bulletin.title, "body": bulletin.body, "is_public": bulletin.is_public})
    if request.method == "POST" and form.is_valid():
        services.edit_bulletin(bulletin, user=request.user, **form.cleaned_data)
        messages.success(request, _("The bulletin was saved."))
        return redirect(bulletin)
    return render(request, "meetings/bulletin_form.html", {"form": form, "bulletin": bulletin},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def bulletin_withdraw(request, pk: int):
    """Withdraw a bulletin, or (``action=republish``) publish it again."""
    bulletin = _editable_bulletin(request, pk)
    republish = request.POST.get("action") == "republish"
    services.withdraw_bulletin(bulletin, user=request.user, withdraw=not republish)
    messages.success(request, _("The bulletin was published again.") if republish else
                     _("The bulletin was withdrawn: only its author and the secretariat see it now."))
    return redirect(bulletin)


@login_required
def bulletin_create(request):
    if not can_publish(request.user):
        raise Http404
    form = BulletinForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        bulletin = services.publish_bulletin(user=request.user, **form.cleaned_data)
        messages.success(request, _("The bulletin was published."))
        return redirect(bulletin)
    return render(request, "meetings/bulletin_form.html", {"form": form}, status=400 if form.errors else 200)


class BulletinFeed(Feed):
    """The public bulletins as RSS (feed readers do not log in)."""

    title = gettext_lazy("Sanlian Sancu information bulletins")
    link = reverse_lazy("meetings:bulletins")
    description = gettext_lazy("Work news, policy interpretation, patent information and research results.")

    def items(self):
        return Bulletin.objects.for_user(AnonymousUser())[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_link(self, item):
        return reverse("meetings:bulletin", args=[item.pk])

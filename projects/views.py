"""Project pages: thin views that fetch through ``for_user`` / ``projects.access`` and call the subject modules
(``services`` for editing, ``importing``, ``notifications``, ``reminders``, ``outcomes``, ``history``)."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sanlian import panels, queue
from sanlian.access import SYSTEM
from sanlian.files import private_file_response
from sanlian.forms import year_param
from sanlian.paging import paginate
from societies.access import is_secretariat, sees_everything

from . import cancellation, notifications, reminders, services, urging
from .access import can_change, can_manage, can_record_outcome, get_project_or_404
from .annex import AnnexRefused
from .choices import ProjectStatus
from .filtersets import ProjectFilterSet
from .forms import (AnnexUploadForm, DecisionForm, MessagePreferenceForm, OutcomeForm, ProgressUpdateForm, ProjectForm,
                    StatusForm, TaskForceForm, TaskForceMemberFormSet, UrgeForm)
from .history import project_history
from .importing import (UPLOAD_TTL_SECONDS, ImportPlanChanged, apply_import, discard_upload, export_annex, load_annex,
                        plan_import, stash_upload, stashed_upload)
from .models import ActivityOutcome, Attachment, CalendarFeed, Notification, Project, TaskForce, status_group
from .outcomes import can_correct, record_outcome
from .updates import EDIT_WINDOW

LIST_PAGE_SIZE, LIST_PAGE_SIZES = 50, (20, 50, 100)
MINE_PAGE_SIZE = 30


@login_required
@require_GET
def project_list(request):
    """The key-project list as the user may see it, filtered (year, society, district, status, overdue, search)."""
    filterset = ProjectFilterSet(request.GET, queryset=Project.objects.for_user(request.user))
    listing = paginate(request, filterset.qs.with_links().in_list_order(), LIST_PAGE_SIZE, sizes=LIST_PAGE_SIZES)
    return render(request, "projects/project_list.html", {
        "projects": listing.rows, "filter": filterset, "can_manage": can_manage(request.user), **listing.context(),
    })


@login_required
@require_GET
def my_projects(request):
    """The user's projects grouped by status, the overdue ones first, a page at a time."""
    today = timezone.localdate()
    mine = Project.objects.for_user(request.user)
    group_sizes = dict(mine.annotate(list_group=status_group(today)).order_by().values("list_group").annotate(
        n=Count("pk")).values_list("list_group", "n"))
    listing = paginate(request, mine.in_status_groups(today), MINE_PAGE_SIZE, count=sum(group_sizes.values()))
    groups = []  # [(group, its projects on this page, its size in all pages)]
    for project in listing.rows:
        if not groups or groups[-1][0] != project.list_group:
            groups.append((project.list_group, [], group_sizes.get(project.list_group, 0)))
        groups[-1][1].append(project)
    return render(request, "projects/project_mine.html", {
        "projects": listing.rows, "groups": groups, "panels": panels.collect("projects:mine", user=request.user),
        **listing.context()})


@login_required
@require_GET
def project_detail(request, pk: int):
    project = get_project_or_404(request.user, pk)
    return _detail_page(request, project)


def _detail_page(request, project: Project, *, status_form: StatusForm | None = None):
    """The project page; with a refused ``status_form``, that form with its errors (and status 400)."""
    project = Project.objects.with_links().get(pk=project.pk)
    changeable = can_change(request.user, project)
    task_force = TaskForce.objects.for_user(request.user).filter(project=project).prefetch_related("members").first()
    return render(request, "projects/project_detail.html", {
        "project": project, "can_change": changeable, "can_manage": can_manage(request.user),
        "task_force": task_force,
        "updates": project.updates.select_related("author").prefetch_related("attachments"),
        "outcomes": project.outcomes.prefetch_related("evidence"),
        "can_record_outcome": can_record_outcome(request.user, project),
        "history": project_history(project),
        "panels": panels.collect("projects:detail", user=request.user, project=project),
        "status_form": status_form or (StatusForm(initial={
            "status": project.status, "delay_reason": project.delay_reason, "delayed_to": project.delayed_to,
        }) if changeable else None),
        "update_form": ProgressUpdateForm(initial={"happened_on": timezone.localdate()}) if changeable else None,
        "edit_cutoff": timezone.now() - EDIT_WINDOW,
        "decision_form": DecisionForm() if can_manage(request.user) and project.cancel_requested_at else None,
    }, status=400 if status_form is not None else 200)


def _project_form_page(request, project: Project | None):
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = services.save_project(
            project, user=request.user, fields={name: data[name] for name in ProjectForm.Meta.fields},
            districts=data["districts"], upper_units=data["upper_units"], partners=data["partners"],
        )
        messages.success(request, _("The project was saved."))
        return redirect(saved)
    return render(request, "projects/project_form.html", {"form": form, "project": project},
                  status=400 if form.errors else 200)


@login_required
def project_create(request):
    """Secretariat: a new project of the list."""
    _secretariat_only(request)
    return _project_form_page(request, None)


@login_required
def project_edit(request, pk: int):
    """Secretariat: change a project and its linked units."""
    project = get_project_or_404(request.user, pk)
    _secretariat_only(request)
    return _project_form_page(request, Project.objects.with_links().get(pk=project.pk))


@login_required
def project_delete(request, pk: int):
    project = get_project_or_404(request.user, pk)
    _secretariat_only(request)
    if request.method == "POST":
        services.delete_project(project, user=request.user)
        messages.success(request, _("The project “{}” was deleted.").format(project.title))
        return redirect("projects:list")
    return render(request, "projects/project_confirm_delete.html", {"project": project})


@login_required
@require_POST
def project_status(request, pk: int):
    """Change the status (the project's society contact or the secretariat)."""
    project = get_project_or_404(request.user, pk, for_change=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return _detail_page(request, project, status_form=form)
    data = form.cleaned_data
    if data["status"] == ProjectStatus.CANCELLED and project.status != ProjectStatus.CANCELLED:
        if not is_secretariat(request.user):  # a contact's “Cancelled” is a request (projects.cancellation)
            cancellation.request_cancel(project, user=request.user, reason=data["cancel_reason"])
            messages.success(request, _("Your request to cancel the project was sent to the secretariat; the status "
                                        "stays as it is until the secretariat approves it."))
            return redirect(project)
        if project.cancel_requested_at is not None:  # the secretariat cancelling answers the waiting request
            cancellation.decide_cancel(project, user=request.user, approve=True)
            messages.success(request, _("Status changed to “{}”.").format(ProjectStatus.CANCELLED.label))
            return redirect(project)
    with queue.watch() as queued:
        services.change_status(project, user=request.user, status=data["status"],
                               delay_reason=data["delay_reason"], delayed_to=data["delayed_to"])
    messages.success(request, _("Status changed to “{}”.").format(project.get_status_display()))
    if queued.refused:
        messages.warning(request, _("The job queue cannot be reached just now: the change is saved, and its "
                                    "notifications and reminders will follow when the queue is back."))
    return redirect(project)


def _urge(request, ids: list[int], note: str, back: str):
    """Press 催办 on the projects ``ids`` the user may see, then go back with what was sent and what was refused."""
    projects = urging.urgeable(request.user, ids)
    if not projects:
        return _urge_refused(request, _("Tick the open projects to remind first."), back)
    try:
        result = urging.urge_projects(projects, user=request.user, note=note)
    except IntegrityError:  # pressed at the same moment by someone else: that press went out
        messages.error(request, _("These projects were reminded by someone else just now; nothing was sent twice."))
        return redirect(back)
    if result.urged:
        messages.success(request, ngettext("Reminder sent for {count} project: the society's contacts were told.",
                                           "Reminder sent for {count} projects: the societies' contacts were told.",
                                           len(result.urged)).format(count=len(result.urged)))
    for project in result.refused:
        messages.error(request, _("“{title}” was already reminded today; it was not sent again.").format(
            title=project.title))
    return redirect(back)


def _urge_refused(request, reason: str, back: str):
    """Bad input to 催办 (nothing to remind, a junk row, a note too long): the reason, status 400, nothing sent."""
    return render(request, "action_refused.html", {"title": _("Reminder not sent"), "reason": reason, "back": back},
                  status=400)


def _back(request, default: str) -> str:
    """The page to return to: a path of this site (``/…``), else ``default`` (a bare word such as ``²`` was taken
    for a view name by ``redirect``: 500)."""
    target = request.POST.get("next", "")
    local = target.startswith("/") and not target.startswith("//")
    return target if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


@login_required
@require_POST
def urge_project(request, pk: int):
    """Secretariat: 催办 on one project (others: 404)."""
    project = get_project_or_404(request.user, pk)
    _secretariat_only(request)
    form = UrgeForm(request.POST)
    if not form.is_valid():
        return _urge_refused(request, _("The note may have at most 500 characters."),
                             _back(request, project.get_absolute_url()))
    return _urge(request, [project.pk], form.cleaned_data["note"], _back(request, project.get_absolute_url()))


@login_required
@require_POST
def urge_batch(request):
    """Secretariat: 催办 on the projects ticked in a list, in one post (others: 404)."""
    _secretariat_only(request)
    form = UrgeForm(request.POST)
    back = _back(request, reverse("projects:list"))
    if not form.is_valid():
        return _urge_refused(request, _("The note may have at most 500 characters, and only listed projects can be "
                                        "ticked."), back)
    return _urge(request, form.cleaned_data["project"], form.cleaned_data["note"], back)


@login_required
@require_POST
def update_post(request, pk: int):
    """Post a progress update with photos and files; nothing is stored unless every file passes the checks."""
    project = get_project_or_404(request.user, pk, for_change=True)
    form = ProgressUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        services.post_update(project, user=request.user, happened_on=data["happened_on"], text=data["text"],
                             link=data["link"], files=data["files"])
        messages.success(request, _("The progress update was posted."))
        return redirect(project)
    return render(request, "projects/progressupdate_form.html", {"project": project, "form": form}, status=400)


@login_required
@require_GET
def attachment_download(request, pk: int):
    """An attachment, only to users who may see its project (otherwise 404)."""
    attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
    return private_file_response(attachment.file, filename=attachment.original_name,
                                 content_type=attachment.content_type)


@login_required
def task_force_edit(request, pk: int):
    """The project's task force (专班): goal, measures, and the responsible person in each linked unit."""
    project = get_project_or_404(request.user, pk, for_change=True)
    task_force = TaskForce.objects.for_user(request.user).filter(project=project).first()
    members = [{"unit_name": member.unit_name, "person": member.person, "duty": member.duty}
               for member in (task_force.members.all() if task_force else [])]
    if not members:
        project = Project.objects.with_links().get(pk=project.pk)
        members = [{"unit_name": unit.name} for unit in
                   project.district_list + project.upper_unit_list + project.partner_list]
    form = TaskForceForm(request.POST or None, initial={
        "leader": task_force.leader, "goal": task_force.goal, "measures": task_force.measures} if task_force else None)
    formset = TaskForceMemberFormSet(request.POST or None, initial=members, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [row for row in formset.cleaned_data if row and not row.get("DELETE")]
        services.save_task_force(project, user=request.user, members=rows, **form.cleaned_data)
        messages.success(request, _("The task force was saved."))
        return redirect(project)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/taskforce_form.html", {"project": project, "form": form, "formset": formset},
                  status=status)


# --- the annex list: import (upload → preview → confirm → summary) and export ---------------------------------------

PENDING = "annex_import"  # session: the kept upload of this user {token, year, sheet, name, at}
DONE = "annex_import_done"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _secretariat_only(request) -> None:
    if not can_manage(request.user):
        raise Http404


def _pending(request) -> tuple[dict, object] | tuple[None, None]:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > UPLOAD_TTL_SECONDS:
        return None, None
    path = stashed_upload(pending.get("token", ""))
    return (pending, path) if path else (None, None)


def _forget_pending(request) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        discard_upload(pending.get("token", ""))


@login_required
def annex_import(request):
    """Upload a workbook; a refused file shows its reasons and changes nothing, an accepted one goes to preview."""
    _secretariat_only(request)
    pending, pending_path = _pending(request)
    sheets = pending.get("sheets") if pending else None
    form = AnnexUploadForm(request.POST or None, request.FILES or None, sheets=sheets, pending=bool(sheets))
    issues = []
    if request.method == "POST" and form.is_valid():
        upload, year = form.cleaned_data["file"], form.cleaned_data["year"]
        sheet = form.cleaned_data.get("sheet") if upload is None else None
        if upload is not None:
            _forget_pending(request)
            token, name = stash_upload(upload), upload.name
            source = stashed_upload(token)
        else:
            source, token, name = pending_path, pending["token"], pending["name"]
        try:
            annex = load_annex(source, year=year, sheet=sheet or None)
            plan_import(annex)
        except AnnexRefused as refused:
            issues = [str(issue) for issue in refused.issues]
            qualifying = refused.sheets
            if len(qualifying) > 1:
                # Keep the file so the user only picks the sheet.
                request.session[PENDING] = {"token": token, "name": name, "at": time.time(), "sheets": qualifying,
                                            "year": year}
                form = AnnexUploadForm(initial={"year": year}, sheets=qualifying, pending=True)
            else:
                discard_upload(token)
                request.session.pop(PENDING, None)
                form = AnnexUploadForm(initial={"year": year})
        else:
            request.session[PENDING] = {"token": token, "name": name, "at": time.time(), "year": annex.year,
                                        "sheet": annex.sheet}
            return redirect("projects:annex_preview")
    return render(request, "projects/project_import.html",
                  {"form": form, "issues": issues, "pending_name": pending["name"] if sheets else ""},
                  status=400 if issues else 200)


def _replan(request):
    pending, path = _pending(request)
    if pending is None or "sheet" not in pending:
        return None, None
    try:
        return pending, plan_import(load_annex(path, year=pending["year"], sheet=pending["sheet"]))
    except AnnexRefused:
        # The stored file was read once already; it cannot become unreadable unless it was tampered with.
        _forget_pending(request)
        return None, None


def _nothing_pending(request):
    messages.warning(request, _("There is no uploaded list waiting (it may have expired); upload it again."))
    return redirect("projects:annex_import")


@login_required
@require_GET
def annex_preview(request):
    """What the kept workbook would change: new organisations, new / changed / unchanged projects, warnings."""
    _secretariat_only(request)
    pending, plan = _replan(request)
    if plan is None:
        return _nothing_pending(request)
    return render(request, "projects/project_import_preview.html", {
        "plan": plan, "name": pending["name"], "warnings": [str(issue) for issue in plan.warnings],
    })


@login_required
@require_POST
def annex_confirm(request):
    """Apply the previewed plan in one transaction, if it is still the plan the user saw."""
    _secretariat_only(request)
    pending, plan = _replan(request)
    if plan is None:
        return _nothing_pending(request)
    try:
        if plan.fingerprint() != request.POST.get("fingerprint"):
            raise ImportPlanChanged
        result = apply_import(plan, user=request.user)
    except ImportPlanChanged:
        messages.warning(request, _("The list changed since the preview; check the new preview and confirm again."))
        return redirect("projects:annex_preview")
    _forget_pending(request)
    request.session[DONE] = result.as_json() | {
        "not_in_file": len(plan.not_in_file), "warnings_text": [str(issue) for issue in result.warnings],
    }
    return redirect("projects:annex_done")


@login_required
@require_POST
def annex_cancel(request):
    _secretariat_only(request)
    _forget_pending(request)
    return redirect("projects:annex_import")


@login_required
@require_GET
def annex_done(request):
    _secretariat_only(request)
    result = request.session.get(DONE)
    if result is None:
        return redirect("projects:annex_import")
    return render(request, "projects/project_import_done.html", {"result": result})


@login_required
@require_GET
def project_export(request):
    """The project list as the user sees it (with its filters) as an annex workbook."""
    projects = ProjectFilterSet(request.GET, queryset=Project.objects.for_user(request.user)).qs
    years = sorted(set(projects.values_list("year", flat=True)))
    year = year_param(request.GET.get("year")) or (years[-1] if years else timezone.localdate().year)
    response = HttpResponse(export_annex(projects, year=year), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="annex-{}.xlsx"'.format(year)
    return response


# --- notification centre, reminders, calendar feed ----------------------------------------------------------------


@login_required
def notification_list(request):
    """The user's notifications, newest first, 50 to a page."""
    listing = paginate(request, Notification.objects.for_user(request.user).filter(recipient=request.user).only(
        "pk", "title", "body", "url", "level", "kind", "created_at", "read_at"), 50)
    return render(request, "projects/notification_list.html", {"notifications": listing.rows, **listing.context()})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and go to what it is about (or back to the list)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk, recipient=request.user)
    notifications.mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}) else reverse("projects:notifications")
    return redirect(target)


@login_required
def notification_settings(request):
    """The user's choice of reminder messages (in their profile)."""
    profile = notifications.profile_of(request.user)
    form = MessagePreferenceForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choice was saved."))
        return redirect("projects:notifications")
    return render(request, "projects/notification_settings.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications.mark_read(user=request.user)
    messages.success(request, ngettext("{count} notification marked read.", "{count} notifications marked read.",
                                       count).format(count=count))
    return redirect("projects:notifications")


@login_required
def reminder_digest(request):
    """What the weekly digest reports, live: for the secretariat and the leadership only (others: 404)."""
    if not sees_everything(request.user):
        raise Http404
    today = reminders.local_today()
    plan = reminders.reminder_overview(today=today)
    return render(request, "projects/reminder_digest.html", {"today": today, "can_manage": can_manage(request.user),
                                                             **plan})


@login_required
def unreachable(request):
    """Who reminders cannot reach by e-mail: for the secretariat only (others: 404)."""
    if not is_secretariat(request.user):
        raise Http404
    return render(request, "projects/reminder_unreachable.html", reminders.unreachable())


@login_required
def calendar(request):
    """The user's private calendar address, with a button that replaces it (revokes the old one)."""
    if request.method == "POST":
        reminders.revoke_feed(user=request.user)
        messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return redirect("projects:calendar")
    feed = reminders.get_or_create_feed(user=request.user)
    return render(request, "projects/calendarfeed_detail.html",
                  {"feed": feed, "feed_url": request.build_absolute_uri(feed.get_absolute_url())})


@require_GET
def calendar_feed(request, token: str):
    """The iCalendar feed: no login, the unguessable token is the key; an unknown or revoked token is 404."""
    feed = get_object_or_404(CalendarFeed.objects.for_user(SYSTEM).select_related("user"), token=token,
                             user__is_active=True)
    response = HttpResponse(reminders.calendar_ics(feed=feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sanlian.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- activity outcomes ----------------------------------------------------------------------------------------------


@login_required
def outcome_create(request, pk: int):
    """Record what an activity of the project achieved (its society, a linked district, the secretariat)."""
    project = get_project_or_404(request.user, pk)
    if not can_record_outcome(request.user, project):
        raise Http404
    form = OutcomeForm(request.POST or None, request.FILES or None, user=request.user,
                       initial={"held_on": timezone.localdate(), "title": project.title})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        links = {name: data.pop(name) for name in ("experts", "industries", "upper_units", "files")}
        record_outcome(project, user=request.user, fields=data, experts=links["experts"],
                       industries=links["industries"], upper_units=links["upper_units"], files=links["files"])
        messages.success(request, _("The outcome was recorded; it counts toward the targets once the secretariat "
                                    "confirms it.") if not can_manage(request.user) else _("The outcome was recorded."))
        return redirect(project)
    return render(request, "projects/activityoutcome_form.html", {"project": project, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def outcome_detail(request, pk: int):
    outcome = get_object_or_404(
        ActivityOutcome.objects.for_user(request.user).select_related(
            "project__society", "entered_by", "reviewed_by").prefetch_related("experts", "industries", "upper_units",
                                                                              "evidence"), pk=pk)
    return render(request, "projects/activityoutcome_detail.html", {
        "outcome": outcome, "can_correct": can_correct(request.user, outcome),
        "panels": panels.collect("projects:outcome", user=request.user, outcome=outcome)})

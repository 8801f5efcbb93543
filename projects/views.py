"""Project pages: thin views that fetch through ``projects.access`` and call ``projects.services``."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .access import can_change, can_manage, get_project_or_404
from .annex import AnnexRefused
from .choices import ProjectStatus
from .forms import AnnexUploadForm
from .models import Project
from .services import (
    UPLOAD_TTL_SECONDS, ImportPlanChanged, apply_import, discard_upload, export_annex, load_annex, plan_import,
    stash_upload, stashed_upload,
)


@login_required
def project_list(request):
    projects = Project.objects.for_user(request.user).with_links().in_list_order()
    return render(request, "projects/project_list.html", {"projects": projects})


@login_required
def my_projects(request):
    projects = Project.objects.for_user(request.user).with_links().order_by("due_end", "position", "id")
    return render(request, "projects/project_mine.html", {"projects": projects})


@login_required
def project_detail(request, pk: int):
    project = get_project_or_404(request.user, pk)
    return render(
        request, "projects/project_detail.html", {"project": project, "can_change": can_change(request.user, project)}
    )


# ================================================================================================================
# The annex list: import (upload → preview → confirm → summary) and export (issue #4).
# ================================================================================================================

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
            plan_import(annex, user=request.user)
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
        return pending, plan_import(load_annex(path, year=pending["year"], sheet=pending["sheet"]), user=request.user)
    except AnnexRefused:
        # The stored file was read once already; it cannot become unreadable unless it was tampered with.
        _forget_pending(request)
        return None, None


@login_required
@require_GET
def annex_preview(request):
    """What the kept workbook would change: new organisations, new / changed / unchanged projects, warnings."""
    _secretariat_only(request)
    pending, plan = _replan(request)
    if plan is None:
        messages.warning(request, _("There is no uploaded list waiting (it may have expired); upload it again."))
        return redirect("projects:annex_import")
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
        messages.warning(request, _("There is no uploaded list waiting (it may have expired); upload it again."))
        return redirect("projects:annex_import")
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


def filter_projects(queryset, params):
    """The project list's filters (year, society, status); to be replaced by ``ProjectFilterSet``."""
    if (year := params.get("year", "")).isdigit():
        queryset = queryset.filter(year=int(year))
    if (society := params.get("society", "")).isdigit():
        queryset = queryset.filter(society_id=int(society))
    if (status := params.get("status")) in ProjectStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


@login_required
@require_GET
def project_export(request):
    """The project list as the user sees it (with its filters) as an annex workbook."""
    projects = filter_projects(Project.objects.for_user(request.user), request.GET).distinct()
    years = sorted(set(projects.values_list("year", flat=True)))
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (years[-1] if years else
                                                                                     timezone.localdate().year)
    response = HttpResponse(export_annex(projects, year=year), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="annex-{}.xlsx"'.format(year)
    return response

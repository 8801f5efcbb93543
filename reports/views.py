"""Dashboard, drill-down, records and their confirmation, half-yearly reports: thin views over the subject modules
(``reports.dashboard``, ``reports.targets``, ``reports.records``, ``reports.builds``)."""

from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities.models import OwnActivity
from activities.measures import measure_table
from activities.reach import reach_by_district
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome
from sanlian.files import private_file_response
from sanlian.forms import year_param
from sanlian.paging import paginate
from societies.access import district_of, role_of, sees_everything, society_of

from . import builds, targets
from . import dashboard as numbers
from .records import review as review_item
from .records import save_record
from .access import can_build_reports, can_enter_records, can_review
from .forms import RecordForm
from .halfyear import BadHalf, report_name
from .models import OrganisationRecord, ReportBuild, TargetDefinition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard_user(request):
    """Leadership and secretariat see everything; a district its slice; a society its own; others 404."""
    if role_of(request.user) is None:
        raise Http404
    return request.user


def _year(request, *, warn: bool = False) -> int:
    """The year asked for, or this year when none is asked or the value is not a year (with a message on pages)."""
    value = request.GET.get("year", "")
    year = year_param(value)
    if year is None:
        if value and warn:
            messages.warning(request, _("The year “{}” is not valid; this year is shown.").format(value[:20]))
        year = timezone.localdate().year
    return year


def _as_of(year: int) -> date:
    today = timezone.localdate()
    return today if today.year <= year else date(year, 12, 31)


def _dashboard_data(request, *, warn: bool = False) -> dict:
    user = _dashboard_user(request)
    year, include = _year(request, warn=warn), request.GET.get("unconfirmed") == "1"
    as_of = _as_of(year)
    counted = numbers.dashboard_numbers(year=year, as_of=as_of, user=user, include_unconfirmed=include)
    sort = request.GET.get("sort", "outcomes")
    sort = sort if sort in numbers.SORT_KEYS else "outcomes"  # part of the cache key: never what a user typed
    cache_key = "{}:{}:{}".format(numbers.dashboard_key(year=year, as_of=as_of, user=user,
                                                        include_unconfirmed=include), sort, get_language())
    return {
        "year": year, "as_of": as_of, "include_unconfirmed": include, "targets": counted["targets"], "sort": sort,
        "cache_key": cache_key,
        "societies": numbers.sort_ranking(counted["societies"], sort),
        "districts": numbers.sort_ranking(counted["districts"], sort),
        "statuses": ProjectStatus.choices, "years": range(as_of.year - 3, timezone.localdate().year + 2),
        "slice": society_of(user) or district_of(user),
        **_activity_tables(user, year=year, as_of=as_of, cache_key=cache_key),
    }


def _activity_tables(user, *, year: int, as_of: date, cache_key: str) -> dict:
    """The campaigns' reach by district and the per-measure table, cached with the dashboard's numbers."""
    key = cache_key + ":activities"
    tables = cache.get(key)
    if tables is None:
        tables = {"reach": reach_by_district(user, start=date(year, 1, 1), end=as_of),
                  "measures": measure_table(user, year=year)}
        cache.set(key, tables, numbers.DASHBOARD_TTL_SECONDS)
    return tables


@login_required
@require_GET
def dashboard(request):
    data = _dashboard_data(request, warn=True)
    data["chart"] = {
        "labels": [target.name for target in data["targets"]],
        "names": [target.full_name for target in data["targets"]],
        "done": [target.percent_done for target in data["targets"]],
        "elapsed": [target.percent_elapsed for target in data["targets"]],
        "values": [target.value for target in data["targets"]],
        "thresholds": [target.threshold for target in data["targets"]],
        "trends": {target.code: target.trend for target in data["targets"]},
        "series": [_("Share done (%)"), _("Share of the period elapsed (%)")],
    }
    return render(request, "reports/dashboard.html", data)


@login_required
@require_GET
def dashboard_export(request):
    data = _dashboard_data(request)
    response = HttpResponse(numbers.export_dashboard(data), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="dashboard-{}.xlsx"'.format(data["year"])
    return response


@login_required
@require_GET
def target_detail(request, code: str):
    """The drill-down: the rows a target's number is made of, each linking to its project or record."""
    user = _dashboard_user(request)
    target = get_object_or_404(TargetDefinition.objects.for_user(user), code=code, is_active=True)
    if target.rule not in targets.RULES:
        raise Http404
    year, include = _year(request, warn=True), request.GET.get("unconfirmed") == "1"
    as_of = _as_of(year)
    parts = targets.target_parts(target, year=year, as_of=as_of, user=user, include_unconfirmed=include)
    rows = parts[0][1]
    rule = targets.RULES[target.rule]
    value = sum(part.aggregate(v=rule.value)["v"] or 0 for _source, part in parts)
    # own activities counted like outcomes (at most 200 shown; the value counts them all)
    also = [part.select_related("district", "society").order_by("-held_on", "-id")[:200]
            for source, part in parts[1:] if source == "activity"]
    if rule.source == "outcome":
        rows = rows.select_related("project__society").prefetch_related("upper_units")
    elif rule.source == "record":
        rows = rows.select_related("society", "district", "project")
    elif rule.source == "visit":
        rows = rows.select_related("need__partner")
    elif rule.source == "venue":
        rows = rows.select_related("kind", "district")
    listing = paginate(request, rows.order_by("-" + rule.date_field, "-id"), 100)
    start, end = targets.period_of(target, year=year, as_of=as_of)
    return render(request, "reports/target_detail.html", {
        "target": target, "rule": rule, "value": value, **listing.context(), "year": year, "period_start": start,
        "period_end": min(end, as_of), "include_unconfirmed": include, "activities": also[0] if also else None,
    })


# --- organisation records ------------------------------------------------------------------------------------------
@login_required
@require_GET
def record_list(request):
    if role_of(request.user) is None:
        raise Http404
    records = OrganisationRecord.objects.for_user(request.user).select_related("society", "district", "project")
    if (kind := request.GET.get("kind")) in dict(OrganisationRecord._meta.get_field("kind").choices):
        records = records.filter(kind=kind)
    if (review := request.GET.get("review")) in ReviewStatus.values:
        records = records.filter(review=review)
    listing = paginate(request, records, 100)
    return render(request, "reports/organisationrecord_list.html", {
        **listing.context(), "kinds": OrganisationRecord._meta.get_field("kind").choices,
        "reviews": ReviewStatus.choices,
        "can_record": can_enter_records(request.user), "can_review": can_review(request.user),
    })


@login_required
def record_create(request):
    user = request.user
    if not can_enter_records(user):
        raise Http404
    form = RecordForm(request.POST or None, user=user, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        record = save_record(form.save(commit=False), user=user)
        messages.success(request, _("The record was saved."))
        return redirect(record)
    return render(request, "reports/organisationrecord_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def record_detail(request, pk: int):
    record = get_object_or_404(OrganisationRecord.objects.for_user(request.user).select_related(
        "society", "district", "project", "entered_by", "reviewed_by"), pk=pk)
    return render(request, "reports/organisationrecord_detail.html", {"record": record,
                                                                      "can_review": can_review(request.user)})


@login_required
@require_GET
def review_queue(request):
    """The secretariat's queue: outcomes and records awaiting confirmation."""
    if not can_review(request.user):
        raise Http404
    pending = ReviewStatus.PENDING
    outcomes = paginate(request, ActivityOutcome.objects.for_user(request.user).filter(review=pending).select_related(
        "project__society"), 50, param="outcomes")
    records = paginate(request, OrganisationRecord.objects.for_user(request.user).filter(review=pending).select_related(
        "society", "district"), 50, param="records")
    activities = paginate(request, OwnActivity.objects.for_user(request.user).filter(review=pending).select_related(
        "society", "district"), 50, param="activities")
    return render(request, "reports/review_queue.html", {
        "outcomes": outcomes.rows, "outcome_pager": outcomes, "records": records.rows, "record_pager": records,
        "activities": activities.rows, "activity_pager": activities})


@login_required
@require_POST
def review(request, what: str, pk: int):
    """Confirm or reject an outcome, a record or an own activity (secretariat only; others 404)."""
    models = {"outcome": ActivityOutcome, "record": OrganisationRecord, "activity": OwnActivity}
    if not can_review(request.user) or what not in models:
        raise Http404
    source = models[what].objects.for_user(request.user)
    item = get_object_or_404(source, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        messages.error(request, _("Choose confirm or reject."))
        return redirect(item)
    review_item(item, user=request.user, confirm=decision == "confirm")
    messages.success(request, _("Confirmed.") if decision == "confirm" else _("Rejected."))
    return redirect("reports:review_queue" if request.POST.get("next") == "queue" else item)


# --- the half-yearly report -------------------------------------------------------------------------------------------
def _report_reader(request) -> None:
    """The reports are the secretariat's and the leadership's; everyone else gets 404."""
    if not sees_everything(request.user):
        raise Http404


@login_required
def report_list(request):
    _report_reader(request)
    if request.method == "POST":
        if not can_build_reports(request.user):
            raise Http404
        try:
            build = builds.request_report(half=request.POST.get("half", "").strip().upper(), user=request.user)
        except BadHalf as error:
            messages.error(request, str(error))
            return redirect("reports:halfyear")
        messages.success(request, _("The report is being built; this page shows its progress."))
        return redirect("{}?build={}".format(reverse("reports:halfyear"), build.pk))
    today = timezone.localdate()
    return render(request, "reports/reportbuild_list.html", {
        "builds": ReportBuild.objects.for_user(request.user).select_related("requested_by")[:50],
        "can_build": can_build_reports(request.user),
        "suggested": "{}H{}".format(today.year, 1 if today.month <= 6 else 2),
    })


@login_required
@require_GET
def report_status(request, pk: int):
    _report_reader(request)
    build = get_object_or_404(ReportBuild.objects.for_user(request.user), pk=pk)
    return JsonResponse({"status": build.status, "label": build.get_status_display(), "progress": build.progress,
                         "message": build.message})


@login_required
@require_GET
def report_download(request, pk: int, kind: str):
    _report_reader(request)
    build = get_object_or_404(ReportBuild.objects.for_user(request.user), pk=pk, status=ReportBuild.Status.DONE)
    if kind not in ("xlsx", "docx"):
        raise Http404
    content_type = XLSX if kind == "xlsx" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return private_file_response(getattr(build, kind), content_type=content_type,
                                 filename="{}.{}".format(report_name(build.half), kind))

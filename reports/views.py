"""Dashboard, drill-down, records and their confirmation, half-yearly reports: thin views over the subject modules
(``reports.dashboard``, ``reports.targets``, ``reports.records``, ``reports.builds``)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities.measures import measure_table
from activities.reach import reach_by_district
from meetings.forms import half_choices
from needs.report import needs_section
from projects import instructions
from projects.choices import ProjectStatus, ReviewStatus
from projects.outcomes import can_correct
from sanlian.files import private_file_response
from sanlian.forms import year_param
from sanlian.paging import paginate
from societies.access import district_of, role_of, sees_everything, society_of

from . import builds, targets
from . import dashboard as numbers
from . import review
from .access import can_build_reports, can_enter_records, can_review
from .forms import RecordForm
from .halfyear import BadHalf, report_name
from .models import OrganisationRecord, ReportBuild, TargetDefinition
from .records import save_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard_user(request):
    """Leadership and secretariat see everything; a district its slice; a society its own; others 404."""
    if role_of(request.user) is None:
        raise Http404
    return request.user


def _year(request, user, *, warn: bool = False) -> int:
    """The year asked for; when none is asked or the value is not a year (with a message on pages), the most
    recent year that has projects ``user`` may see."""
    value = request.GET.get("year", "")
    year = year_param(value)
    if year is None:
        if value and warn:
            messages.warning(request, _("The year “{}” is not valid; the most recent year is shown.").format(
                value[:20]))
        year = numbers.latest_year(user)
    return year


def _as_of(year: int) -> date:
    today = timezone.localdate()
    return today if today.year <= year else date(year, 12, 31)


def _dashboard_data(request, *, warn: bool = False) -> dict:
    user = _dashboard_user(request)
    year, include = _year(request, user, warn=warn), request.GET.get("unconfirmed") == "1"
    as_of = _as_of(year)
    counted = numbers.dashboard_numbers(year=year, as_of=as_of, user=user, include_unconfirmed=include)
    sort = request.GET.get("sort", "outcomes")
    sort = sort if sort in numbers.SORT_KEYS else "outcomes"  # part of the cache key: never what a user typed
    cache_key = "{}:{}:{}".format(counted["key"], sort, get_language())  # the numbers' own key, fresh or last
    return {
        "year": year, "as_of": as_of, "include_unconfirmed": include, "targets": counted["targets"], "sort": sort,
        "cache_key": cache_key,
        "societies": numbers.sort_ranking(counted["societies"], sort),
        "districts": numbers.sort_ranking(counted["districts"], sort),
        "statuses": ProjectStatus.choices, "years": range(as_of.year - 3, timezone.localdate().year + 2),
        "slice": society_of(user) or district_of(user),
        **_cached(cache_key + ":activities", lambda: _activity_tables(user, year=year, as_of=as_of)),
        "needs_section": _cached(cache_key + ":needs", lambda: needs_section(user=user, year=year)),
    }


def _cached(key: str, compute):
    """A part of the dashboard cached with its numbers (the same key: the same version, scope, year, language)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, numbers.DASHBOARD_TTL_SECONDS)
    return value


def _activity_tables(user, *, year: int, as_of: date) -> dict:
    """The campaigns' reach by district and the per-measure table."""
    return {"reach": reach_by_district(user, start=date(year, 1, 1), end=as_of),
            "measures": measure_table(user, year=year)}


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
    data["instructions"] = instructions.counts(request.user)  # 批示办理情况: live, outside the cached tables
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
    year, include = _year(request, user, warn=True), request.GET.get("unconfirmed") == "1"
    as_of = _as_of(year)
    parts = targets.target_parts(target, year=year, as_of=as_of, user=user, include_unconfirmed=include)
    rows = parts[0][1]
    rule = targets.RULES[target.rule]
    value = targets.parts_value(target, parts)
    # own activities counted like outcomes (at most 200 shown; the value counts them all)
    also = [targets.with_counted(target, source, part, user).select_related("district", "society").order_by(
        "-held_on", "-id")[:200] for source, part in parts[1:] if source == "activity"]
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
    if (state := request.GET.get("review")) in ReviewStatus.values:
        records = records.filter(review=state)
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
    return render(request, "reports/organisationrecord_detail.html", {
        "record": record, "can_review": can_review(request.user), "can_correct": can_correct(request.user, record)})


@login_required
def record_edit(request, pk: int):
    """Correct a record (whoever entered it, until it is confirmed; the secretariat always): saved, it waits for
    confirmation again."""
    record = get_object_or_404(OrganisationRecord.objects.for_user(request.user), pk=pk)
    if not can_correct(request.user, record):
        raise Http404
    form = RecordForm(request.POST or None, user=request.user, instance=record)
    if request.method == "POST" and form.is_valid():
        save_record(form.save(commit=False), user=request.user)
        messages.success(request, _("The record was saved."))
        return redirect(record)
    return render(request, "reports/organisationrecord_form.html", {"form": form, "record": record},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def review_queue(request):
    """The secretariat's queue: outcomes, records and own activities awaiting confirmation, with their evidence,
    and the projects whose cancellation waits."""
    if not can_review(request.user):
        raise Http404
    pages = {what: paginate(request, review.pending(request.user, what), 50, param=what + "s")
             for what in review.SOURCES}
    requests = paginate(request, review.cancel_requests(request.user), 50, param="cancellations")
    return render(request, "reports/review_queue.html", {
        "outcomes": pages["outcome"].rows, "outcome_pager": pages["outcome"], "records": pages["record"].rows,
        "record_pager": pages["record"], "activities": pages["activity"].rows, "activity_pager": pages["activity"],
        "cancellations": requests.rows, "cancellation_pager": requests, "queue_url": request.get_full_path()})


def _review_refused(request, reason: str, back: str):
    return render(request, "action_refused.html", {"reason": reason, "back": back}, status=400)


def _queue_or(request, item) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return item.get_absolute_url()


@login_required
@require_POST
def review_item(request, what: str, pk: int):
    """Confirm an outcome, a record or an own activity, or reject it with a reason (required; sent to whoever entered
    it). The secretariat only; others 404."""
    if not can_review(request.user) or what not in review.SOURCES:
        raise Http404
    item = get_object_or_404(review.SOURCES[what].objects.for_user(request.user).select_related("entered_by"), pk=pk)
    decision, back = request.POST.get("decision"), _queue_or(request, item)
    if decision not in ("confirm", "reject"):
        return _review_refused(request, _("Choose confirm or reject."), back)
    try:
        if decision == "confirm":
            review.confirm(item, user=request.user)
        else:
            review.reject(item, user=request.user, reason=request.POST.get("reason", ""))
    except review.ReviewRefused as refused:
        return _review_refused(request, str(refused), back)
    messages.success(request, _("Confirmed.") if decision == "confirm" else _(
        "Rejected; the reason was sent to whoever entered it."))
    return redirect(back)


@login_required
@require_POST
def review_batch(request):
    """Confirm the ticked entries of the queue in one post and one transaction (the secretariat only; others 404)."""
    if not can_review(request.user):
        raise Http404
    back = reverse("reports:review_queue")
    try:
        keys = review.parse_keys(request.POST.getlist("item"))
    except review.ReviewRefused as refused:
        return _review_refused(request, str(refused), back)
    done = review.confirm_many(keys, user=request.user)
    messages.success(request, ngettext("{count} entry confirmed.", "{count} entries confirmed.", done).format(
        count=done))
    return redirect(back)


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
    builds.fail_stale_builds()
    today = timezone.localdate()
    return render(request, "reports/reportbuild_list.html", {
        "builds": ReportBuild.objects.for_user(request.user).select_related("requested_by")[:50],
        "can_build": can_build_reports(request.user),
        "suggested": "{}H{}".format(today.year, 1 if today.month <= 6 else 2), "halves": half_choices(today),
    })


@login_required
@require_GET
def report_status(request, pk: int):
    _report_reader(request)
    builds.fail_stale_builds()
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

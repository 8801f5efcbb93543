"""Own activities: the list (paginated, filtered), recording and changing them from a phone, the detail page and
the evidence files — thin views over ``activities.services`` and the rules of ``activities.access``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanlian import panels
from sanlian.files import private_file_response
from sanlian.forms import id_param, year_param
from sanlian.paging import paginate
from sanlian.uploads import UploadRefused
from sanlian.workbook import WorkbookRefused
from societies.access import is_secretariat, role_of
from societies.models import District

from .access import (can_change_activity, can_change_venue, can_read_roster, can_record_activity,
                     can_record_campaign, can_record_roster, can_record_venue, get_activity_or_404,
                     get_campaign_or_404, get_member_or_404, get_venue_or_404)
from .campaign_import import import_campaign_lines
from .district_export import XLSX, district_workbook
from .forms import (ActivityFilterForm, CampaignForm, CampaignLineFormSet, CampaignUploadForm, OwnActivityForm,
                    RosterFilterForm, RosterMemberForm, VenueForm)
from .measures import measure_rows, measure_table
from .models import ActivityEvidence, Campaign, Measure, OwnActivity, RosterMember, Venue, VenueKind, VenueStatus
from .people import counts_by_district, default_programme, delete_member, save_member
from .services import save_activity, save_campaign, save_venue

PAGE_SIZE = 50


@login_required
@require_GET
def activity_list(request):
    if role_of(request.user) is None:
        raise Http404
    filters = ActivityFilterForm(request.GET or None, user=request.user)
    activities = filters.apply(OwnActivity.objects.for_user(request.user).select_related("district", "society"))
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/ownactivity_list.html", {
        "page": page, "filters": filters, "params": params.urlencode(),
        "can_record": can_record_activity(request.user), "can_read_roster": can_read_roster(request.user)})


def _edit(request, activity: OwnActivity | None):
    user = request.user
    form = OwnActivityForm(request.POST or None, request.FILES or None, user=user, instance=activity,
                           initial=None if activity else {"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_activity(form.save(commit=False), user=user, links=form.links(),
                                  files=form.cleaned_data["files"])
        except UploadRefused as refused:
            form.add_error("files", str(refused))
        else:
            messages.success(request, _("The activity was saved.") if is_secretariat(user) else _(
                "The activity was saved; it counts toward the targets once the secretariat confirms it."))
            return redirect(saved)
    return render(request, "activities/ownactivity_form.html", {"form": form, "activity": activity},
                  status=400 if form.errors else 200)


@login_required
def activity_create(request):
    if not can_record_activity(request.user):
        raise Http404
    return _edit(request, None)


@login_required
def activity_edit(request, pk: int):
    return _edit(request, get_activity_or_404(request.user, pk, for_change=True))


@login_required
@require_GET
def activity_detail(request, pk: int):
    activity = get_activity_or_404(request.user, pk)
    return render(request, "activities/ownactivity_detail.html", {
        "activity": activity, "can_change": can_change_activity(request.user, activity),
        "panels": panels.collect("activities:detail", user=request.user, activity=activity)})


@login_required
@require_GET
def evidence_download(request, pk: int):
    evidence = get_object_or_404(ActivityEvidence.objects.for_user(request.user), pk=pk)
    return private_file_response(evidence.file, filename=evidence.original_name, content_type=evidence.content_type)


# --- campaigns (集中活动) -------------------------------------------------------------------------------------------
@login_required
@require_GET
def campaign_list(request):
    if role_of(request.user) is None:
        raise Http404
    campaigns = Campaign.objects.for_user(request.user).select_related("district")
    year = year_param(request.GET.get("year"))
    if year is not None:
        campaigns = campaigns.filter(starts_on__year=year)
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/campaign_list.html", {
        "page": page, "params": "year={}".format(year) if year is not None else "",
        "can_record": can_record_campaign(request.user)})


def _edit_campaign(request, campaign: Campaign | None):
    user = request.user
    form = CampaignForm(request.POST or None, request.FILES or None, user=user, instance=campaign)
    lines = CampaignLineFormSet(request.POST or None, instance=campaign or Campaign(), prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        parsed = form.file_lines
        saved = save_campaign(form.save(commit=False), user=user, lines=parsed.lines if parsed else lines.lines(),
                              measures=form.cleaned_data["measures"])
        messages.success(request, _("The campaign was saved."))
        for warning in parsed.warnings if parsed else ():
            messages.warning(request, warning)
        return redirect(saved)
    invalid = request.method == "POST"
    return render(request, "activities/campaign_form.html", {"form": form, "lines": lines, "campaign": campaign},
                  status=400 if invalid else 200)


@login_required
def campaign_create(request):
    if not can_record_campaign(request.user):
        raise Http404
    return _edit_campaign(request, None)


@login_required
def campaign_edit(request, pk: int):
    return _edit_campaign(request, get_campaign_or_404(request.user, pk, for_change=True))


@login_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = get_campaign_or_404(request.user, pk)
    return render(request, "activities/campaign_detail.html", {
        "campaign": campaign, "lines": campaign.lines.all(),
        "can_change": can_record_campaign(request.user)})


@login_required
def campaign_import(request, pk: int):
    """Replace a campaign's per-town lines by an uploaded workbook (one row per town or street)."""
    campaign = get_campaign_or_404(request.user, pk, for_change=True)
    form = CampaignUploadForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        try:
            parsed = import_campaign_lines(campaign, form.cleaned_data["file"], user=request.user)
        except WorkbookRefused as refused:
            issues = [str(issue) for issue in refused.issues]
        else:
            messages.success(request, _("%(count)s towns or streets were imported; the totals are their sums.")
                             % {"count": len(parsed.lines)})
            for warning in parsed.warnings:
                messages.warning(request, warning)
            return redirect(campaign)
    return render(request, "activities/campaign_import.html", {"form": form, "campaign": campaign, "issues": issues},
                  status=400 if request.method == "POST" else 200)


# --- bases and venues (基地与场馆) -----------------------------------------------------------------------------------
@login_required
@require_GET
def venue_list(request):
    if role_of(request.user) is None:
        raise Http404
    venues = Venue.objects.for_user(request.user).select_related("kind", "district")
    kinds = VenueKind.objects.for_user(request.user)
    chosen = {}
    if (kind := request.GET.get("kind", "")) in {k.code for k in kinds}:
        venues, chosen["kind"] = venues.filter(kind__code=kind), kind
    if (status := request.GET.get("status", "")) in VenueStatus.values:
        venues, chosen["status"] = venues.filter(status=status), status
    if (district := id_param(request.GET.get("district"))) is not None:
        venues, chosen["district"] = venues.filter(district_id=district), str(district)
    page = Paginator(venues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/venue_list.html", {
        "page": page, "kinds": kinds, "statuses": VenueStatus.choices, "chosen": chosen,
        "params": "&".join("{}={}".format(key, value) for key, value in chosen.items()),
        "can_record": can_record_venue(request.user)})


def _edit_venue(request, venue: Venue | None):
    form = VenueForm(request.POST or None, user=request.user, instance=venue)
    if request.method == "POST" and form.is_valid():
        saved = save_venue(form.save(commit=False), user=request.user)
        messages.success(request, _("The base or venue was saved."))
        return redirect(saved)
    return render(request, "activities/venue_form.html", {"form": form, "venue": venue},
                  status=400 if form.errors else 200)


@login_required
def venue_create(request):
    if not can_record_venue(request.user):
        raise Http404
    return _edit_venue(request, None)


@login_required
def venue_edit(request, pk: int):
    return _edit_venue(request, get_venue_or_404(request.user, pk, for_change=True))


@login_required
@require_GET
def venue_detail(request, pk: int):
    venue = get_venue_or_404(request.user, pk)
    year = timezone.localdate().year
    activities = OwnActivity.objects.for_user(request.user).filter(venue=venue, held_on__year=year).select_related(
        "district", "society")
    return render(request, "activities/venue_detail.html", {
        "venue": venue, "activities": activities[:100], "year": year,
        "can_change": can_change_venue(request.user, venue)})


# --- the plan's measures (按举措) ------------------------------------------------------------------------------------
def _year(request) -> int:
    year = year_param(request.GET.get("year"))
    return year if year is not None else timezone.localdate().year


@login_required
@require_GET
def measure_list(request):
    if role_of(request.user) is None:
        raise Http404
    year = _year(request)
    return render(request, "activities/measure_list.html", {
        "year": year, "measures": measure_table(request.user, year=year)})


@login_required
@require_GET
def measure_detail(request, pk: int):
    if role_of(request.user) is None:
        raise Http404
    measure = get_object_or_404(Measure.objects.for_user(request.user), pk=pk)
    year = _year(request)
    return render(request, "activities/measure_detail.html", {
        "measure": measure, "year": year, **measure_rows(request.user, measure, year=year)})


# --- people programmes (科技辅导员 and similar rosters) ---------------------------------------------------------------
@login_required
@require_GET
def roster_list(request):
    if not can_read_roster(request.user):
        raise Http404
    filters = RosterFilterForm(request.GET or None, user=request.user)
    members = filters.apply(RosterMember.objects.for_user(request.user).select_related("programme", "district"))
    listing = paginate(request, members, PAGE_SIZE)
    programme = filters.cleaned_data.get("programme") if filters.is_bound and filters.is_valid() else None
    return render(request, "activities/roster_list.html", {
        **listing.context(), "filters": filters, "can_record": can_record_roster(request.user),
        "counts": counts_by_district(request.user, programme=programme), "year": timezone.localdate().year})


def _edit_member(request, member: RosterMember | None):
    initial = None if member else {"programme": default_programme()}
    form = RosterMemberForm(request.POST or None, user=request.user, instance=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        save_member(form.save(commit=False), user=request.user)
        messages.success(request, _("The roster entry was saved."))
        return redirect("activities:roster")
    return render(request, "activities/roster_form.html", {"form": form, "member": member},
                  status=400 if form.errors else 200)


@login_required
def roster_create(request):
    if not can_record_roster(request.user):
        raise Http404
    return _edit_member(request, None)


@login_required
def roster_edit(request, pk: int):
    return _edit_member(request, get_member_or_404(request.user, pk, for_change=True))


@login_required
@require_POST
def roster_delete(request, pk: int):
    member = get_member_or_404(request.user, pk, for_change=True)
    delete_member(member, user=request.user)
    messages.success(request, _("The roster entry was deleted."))
    return redirect("activities:roster")


# --- the district's year as Excel (the district page's export) ----------------------------------------------------
@login_required
@require_GET
def district_export(request, pk: int):
    """The district page's year as .xlsx: the same access as the page (``District.objects.for_user``), else 404."""
    district = get_object_or_404(District.objects.for_user(request.user).filter(is_city=False), pk=pk)
    year = _year(request)
    response = HttpResponse(district_workbook(request.user, district, year=year), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="district-{}-{}.xlsx"'.format(district.pk, year)
    return response

"""A district association's year as an Excel workbook (the district page's “导出 Excel”): the page's figures (the
same numbers as ``district_report``), then its own activities, campaigns with their per-town lines, bases and
venues, roster counts, technology needs and linked list projects — each sheet from ``for_user(user)``, so the
workbook holds exactly what the user may see of the district."""

import io
from datetime import date

import openpyxl
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanlian.excel import table_sheet

from .models import Campaign, CampaignLine, OwnActivity, Venue
from .people import district_counts
from .reach import district_figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the district page's figures, in its order (``activities/_district_figures.html``)
FIGURE_LABELS = {
    "activities": gettext_lazy("Own activities (confirmed)"),
    "participants": gettext_lazy("Person-times (activities and campaigns)"),
    "campaigns": gettext_lazy("Campaigns"),
    "sessions": gettext_lazy("Sessions"),
    "towns": gettext_lazy("Towns and streets"),
    "schools": gettext_lazy("Schools"),
    "publicity": gettext_lazy("Publicity items"),
    "venues": gettext_lazy("Bases and venues"),
    "new_venues": gettext_lazy("New bases and venues this year"),
    "experts": gettext_lazy("Expert person-times"),
    "projects": gettext_lazy("Key projects"),
}


def _needs(user, district, year: int):
    from needs.models import Need, NeedVisit

    needs = Need.objects.for_user(user).filter(district=district, collected_on__year=year).select_related(
        "partner", "industry").order_by("collected_on", "id")
    served = NeedVisit.objects.for_user(user).filter(need__district=district, held_on__year=year).values(
        "need__partner_id").distinct().count()
    return needs, served


def district_workbook(user, district, *, year: int) -> bytes:
    """The workbook of ``district``'s ``year`` as ``user`` may see it."""
    from projects.models import Project

    start, end = date(year, 1, 1), date(year, 12, 31)
    figures = district_figures(user, district, year=year)
    needs, served = _needs(user, district, year)
    book = openpyxl.Workbook()
    book.remove(book.active)
    overview = [(_("District association"), figures["district"], "district"), (_("Year"), year, "year")]
    overview += [(label, figures[key], key) for key, label in FIGURE_LABELS.items()]
    overview += [(_("Technology needs collected"), needs.count(), "needs"),
                 (_("Enterprises served (distinct)"), served, "enterprises_served")]
    table_sheet(book, _("Overview"), [_("Figure"), _("Value"), _("Code")], overview, widths=[36, 14, 20])

    activities = OwnActivity.objects.for_user(user).filter(district=district, held_on__gte=start,
                                                           held_on__lte=end).select_related("venue")
    table_sheet(book, _("Own activities"), [
        _("Date"), _("Activity"), _("Kind"), _("Town or street"), _("Place"), _("Base or venue"), _("Participants"),
        _("Expert person-times"), _("Enterprises served"), _("Confirmation")],
        ([activity.held_on, activity.title, activity.get_kind_display(), activity.town, activity.place,
          activity.venue.name if activity.venue else "", activity.participants, activity.expert_person_times,
          activity.served_count, activity.get_review_display()] for activity in activities.order_by("held_on", "id")),
        widths=[12, 32, 12, 14, 18, 20, 10, 10, 10, 10])

    campaigns = Campaign.objects.for_user(user).filter(district=district, starts_on__gte=start, starts_on__lte=end)
    table_sheet(book, _("Campaigns"), [
        _("Campaign"), _("Starts on"), _("Ends on"), _("Scope"), _("Sessions"), _("Person-times"),
        _("Towns and streets"), _("Schools"), _("Publicity items")],
        ([campaign.title, campaign.starts_on, campaign.ends_on, campaign.scope, campaign.sessions,
          campaign.participants, campaign.towns, campaign.schools, campaign.publicity]
         for campaign in campaigns.order_by("starts_on", "id")),
        widths=[24, 12, 12, 30, 10, 12, 10, 10, 10])
    lines = CampaignLine.objects.for_user(user).filter(campaign__in=campaigns).select_related("campaign")
    table_sheet(book, _("Per town or street"), [
        _("Campaign"), _("Town or street"), _("Sessions"), _("Person-times"), _("Schools"), _("Publicity items")],
        ([line.campaign.title, line.town, line.sessions, line.participants, line.schools, line.publicity]
         for line in lines.order_by("campaign__starts_on", "campaign_id", "id")),
        widths=[24, 16, 10, 12, 10, 10])

    venues = Venue.objects.for_user(user).filter(district=district).select_related("kind").annotate(
        activities_this_year=Count("activities", filter=Q(activities__held_on__gte=start,
                                                          activities__held_on__lte=end)))
    table_sheet(book, _("Bases and venues"), [
        _("Name"), _("Kind"), _("Host organisation"), _("Founded on"), _("Status"), _("Own activities")],
        ([venue.name, venue.kind.name, venue.host, venue.founded_on, venue.get_status_display(),
          venue.activities_this_year] for venue in venues),
        widths=[28, 14, 24, 12, 10, 10])

    table_sheet(book, _("Rosters"), [_("Programme"), _("People"), _("Certified in %(year)s") % {"year": year}],
                ([row["name"], row["members"], row["certified"]] for row in district_counts(user, district, year=year)),
                widths=[20, 10, 14])

    table_sheet(book, _("Technology needs"), [
        _("Enterprise"), _("“6+3” industry"), _("Need"), _("Collected on"), _("Status")],
        ([need.partner.name, need.industry.name if need.industry else "", need.title, need.collected_on,
          need.get_status_display()] for need in needs),
        widths=[24, 12, 32, 12, 10])

    projects = Project.objects.for_user(user).filter(year=year, district_links__district=district).distinct() \
        .select_related("society").order_by("society__name", "position", "id")
    table_sheet(book, _("Key projects"), [_("Project"), _("Society"), _("Status")],
                ([project.title, project.society.name, project.get_status_display()] for project in projects),
                widths=[40, 20, 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

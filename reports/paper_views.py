"""Paper and spreadsheets: the 台账 workbook of the project list and a society's one-page summary (thin views over
``reports.paper``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from projects.filtersets import ProjectFilterSet
from projects.models import Project
from sanlian.forms import year_param
from societies.models import Society

from . import paper

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def project_ledger(request):
    """The project list as the user sees it, with the list's filters, as a 台账 workbook (one row per project)."""
    filterset = ProjectFilterSet(request.GET, queryset=Project.objects.for_user(request.user))
    today = timezone.localdate()
    year = year_param(request.GET.get("year"))
    response = HttpResponse(paper.ledger_workbook(filterset.qs, user=request.user, today=today), content_type=XLSX)
    name = "台账-{}.xlsx".format(year or today.isoformat())
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def society_summary(request, pk: int):
    """The "一页纸" of a society, for whoever may open the society's page (others: 404); printable on A4."""
    try:
        society = Society.objects.for_user(request.user).get(pk=pk)
    except (Society.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    summary = paper.society_summary(society, user=request.user, year=year_param(request.GET.get("year")))
    return render(request, "reports/society_summary.html", {"summary": summary})

"""Project pages: thin views that fetch through ``projects.access`` and call ``projects.services``."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import can_change, get_project_or_404
from .models import Project


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

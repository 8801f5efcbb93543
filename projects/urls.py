from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("mine/", views.my_projects, name="mine"),
    path("<int:pk>/", views.project_detail, name="detail"),
    # the annex list
    path("export.xlsx", views.project_export, name="export"),
    path("import/", views.annex_import, name="annex_import"),
    path("import/preview/", views.annex_preview, name="annex_preview"),
    path("import/confirm/", views.annex_confirm, name="annex_confirm"),
    path("import/cancel/", views.annex_cancel, name="annex_cancel"),
    path("import/done/", views.annex_done, name="annex_done"),
]

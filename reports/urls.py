from django.urls import path

from . import paper_views, views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard_export"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("records/", views.record_list, name="records"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/confirm/", views.review_batch, name="review_batch"),
    path("review/<str:what>/<int:pk>/", views.review_item, name="review"),
    path("ledger.xlsx", paper_views.project_ledger, name="project_ledger"),
    path("societies/<int:pk>/one-page/", paper_views.society_summary, name="society_summary"),
    path("half-year/", views.report_list, name="halfyear"),
    path("half-year/<int:pk>/status/", views.report_status, name="halfyear_status"),
    path("half-year/<int:pk>/<str:kind>/", views.report_download, name="halfyear_download"),
]

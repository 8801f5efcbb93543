from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/import/", views.campaign_import, name="campaign_import"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_create, name="venue_create"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("roster/", views.roster_list, name="roster"),
    path("roster/new/", views.roster_create, name="roster_create"),
    path("roster/<int:pk>/edit/", views.roster_edit, name="roster_edit"),
    path("roster/<int:pk>/delete/", views.roster_delete, name="roster_delete"),
    path("districts/<int:pk>/xlsx/", views.district_export, name="district_xlsx"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
]

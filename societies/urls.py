from django.urls import path

from . import views

app_name = "societies"

urlpatterns = [
    path("", views.organisation_index, name="index"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/new/", views.record_create, name="create"),
    path("<slug:kind>/<int:pk>/", views.record_detail, name="detail"),
    path("<slug:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<slug:kind>/<int:pk>/delete/", views.record_delete, name="delete"),
]

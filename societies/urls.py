from django.urls import path

from . import views

app_name = "societies"

urlpatterns = [
    path("", views.organisation_index, name="index"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_edit, name="account_create"),
    path("accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("<slug:kind>/", views.organisation_list, name="list"),
    path("<slug:kind>/new/", views.organisation_edit, name="create"),
    path("<slug:kind>/<int:pk>/", views.organisation_edit, name="edit"),
    path("<slug:kind>/<int:pk>/delete/", views.organisation_delete, name="delete"),
]

from django.urls import path

from . import views

app_name = "needs"

urlpatterns = [
    path("", views.need_list, name="list"),
    path("export.xlsx", views.need_export, name="export"),
    path("new/", views.need_create, name="create"),
    path("import/", views.need_import, name="import"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/edit/", views.need_edit, name="edit"),
    path("<int:pk>/assign/", views.need_assign, name="assign"),
    path("<int:pk>/visit/", views.need_visit, name="visit"),
    path("<int:pk>/close/", views.need_close, name="close"),
    path("experts/<int:pk>/", views.expert_detail, name="expert"),
]

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("mine/", views.my_projects, name="mine"),
    path("<int:pk>/", views.project_detail, name="detail"),
]

from django.urls import path

from . import views

app_name = "societies"

urlpatterns: list = []

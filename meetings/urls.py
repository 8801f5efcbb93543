from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/answer/", views.meeting_answer, name="answer"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("decisions/<int:pk>/", views.decision_status, name="decision_status"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/new/", views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/withdraw/", views.bulletin_withdraw, name="bulletin_withdraw"),
    path("bulletins/feed.xml", views.BulletinFeed(), name="bulletin_feed"),
]

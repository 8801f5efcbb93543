from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/scheme/", views.scheme_edit, name="scheme"),
    path("<int:pk>/unit/", views.unit_detail, name="unit"),
    path("<int:pk>/mark/", views.mark, name="mark"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="xlsx"),
    path("<int:pk>/summary.docx", views.summary_docx, name="docx"),
    path("commendations/", views.nomination_list, name="nominations"),
    path("commendations/new/", views.nomination_create, name="nomination_create"),
    path("commendations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("commendations/<int:pk>/step/", views.nomination_step, name="nomination_step"),
    path("commendations/notice.docx", views.notice_docx, name="notice"),
    path("honour/", views.honour_roll, name="honour"),
]

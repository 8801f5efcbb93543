from django.urls import path

from . import instruction_views, review_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("mine/", views.my_projects, name="mine"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/status/", views.project_status, name="status"),
    path("<int:pk>/updates/", views.update_post, name="update_post"),
    path("<int:pk>/urge/", views.urge_project, name="urge"),
    path("<int:pk>/cancellation/", review_views.cancel_decide, name="cancel_decide"),
    path("updates/<int:pk>/edit/", review_views.update_edit, name="update_edit"),
    path("updates/<int:pk>/delete/", review_views.update_delete, name="update_delete"),
    path("outcomes/<int:pk>/edit/", review_views.outcome_edit, name="outcome_edit"),
    path("urge/", views.urge_batch, name="urge_batch"),
    path("<int:pk>/task-force/", views.task_force_edit, name="task_force"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome"),
    # leadership's instructions (批示)
    path("<int:pk>/instructions/new/", instruction_views.instruction_create, name="instruction_create"),
    path("instructions/", instruction_views.instruction_list, name="instructions"),
    path("instructions/<int:pk>/", instruction_views.instruction_detail, name="instruction"),
    path("instructions/<int:pk>/reply/", instruction_views.instruction_reply, name="instruction_reply"),
    path("instructions/<int:pk>/done/", instruction_views.instruction_done, name="instruction_done"),
    path("instructions/files/<int:pk>/", instruction_views.instruction_file, name="instruction_file"),
    # the annex list
    path("export.xlsx", views.project_export, name="export"),
    path("import/", views.annex_import, name="annex_import"),
    path("import/preview/", views.annex_preview, name="annex_preview"),
    path("import/confirm/", views.annex_confirm, name="annex_confirm"),
    path("import/cancel/", views.annex_cancel, name="annex_cancel"),
    path("import/done/", views.annex_done, name="annex_done"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("reminders/digest/", views.reminder_digest, name="reminder_digest"),
    path("reminders/unreachable/", views.unreachable, name="unreachable"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]

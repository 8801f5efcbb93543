from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from societies import account_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.OwnPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("projects/", include("projects.urls")),
    path("needs/", include("needs.urls")),
    path("organisations/", include("societies.urls")),
    path("meetings/", include("meetings.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("admin/", admin.site.urls),
    path("users/", include("societies.account_urls")),
]

handler500 = "sanlian.views.server_error"  # a database that is down answers 503 in Chinese (sanlian.views)

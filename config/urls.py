from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboards import views as dashboard_views
from partnerships import views as partnership_views

admin.site.site_header = "CSP strategy tracker – administration"
admin.site.site_title = "CSP strategy tracker admin"
admin.site.index_title = "Run the framework"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("accounts/login/", partnership_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Each app's urls.py holds full paths; the dashboards come last because their slugs
    # (/measures/<slug>/, /partnerships/<slug>/) would otherwise swallow the fixed paths of the others.
    path("", include("partnerships.urls")),
    path("measures/", include("measures.urls")),
    path("", include("strategies.urls")),
    path("", include("reviews.urls")),
    path("", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]


handler400 = "partnerships.views.bad_request"
handler403 = "partnerships.views.permission_denied"
handler404 = "partnerships.views.page_not_found"
handler500 = "partnerships.views.server_error"

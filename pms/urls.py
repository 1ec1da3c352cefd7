from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, auth, views

api_v1 = [
    path("me/", api.me, name="api-me"),
    path("properties/", api.property_list, name="api-properties"),
    path("", include("audit.api_urls")),
    path("", include("guests.api_urls")),
    path("", include("reservations.api_urls")),
    path("", include("members.api_urls")),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("switch-property/", views.switch_property, name="switch_property"),
    path("p/<slug:property_code>/", views.property_home, name="property_home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", include("pms.admin_urls")),
    path("audit/", include("audit.urls")),
    path("guests/", include("guests.urls")),
    path("", include("reservations.urls")),
    path("", include("reservations.portal.urls")),
    path("members/", include("members.urls")),
    path("", include("operations.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "pms.views.error_400"
handler403 = "pms.views.error_403"
handler404 = "pms.views.error_404"
handler500 = "pms.views.error_500"

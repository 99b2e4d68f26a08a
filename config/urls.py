from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views as core_views
from core.api.docs import OfflineRedocView
from kommune.auth import ThrottledLoginView

api_v1 = [
    path("", include("kommune.api.urls")),
    path("", include("lister.api.urls")),
    path("", include("avtaler.api.urls")),
    path("", include("legevakt.api.urls")),
    path("", include("lonn.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("helse/", core_views.health, name="health"),
    path("tilgjengelighet/", core_views.accessibility_statement, name="accessibility"),
    path("konto/login/", ThrottledLoginView.as_view(), name="account_login"),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("lister.urls")),
    path("", include("avtaler.urls")),
    path("", include("legevakt.urls")),
    path("", include("lonn.urls")),
    path("", include("kommune.urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    """The Django admin is a superuser tool; staff status alone does not open it. Logging in goes
    through allauth (rate limits, and MFA where the user has it), never the admin's own form."""

    site_header = _("Fastlegeadministrasjon – drift")
    site_title = _("Fastlegeadministrasjon")

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def admin_view(self, view, cacheable=False):
        """Every admin page runs across kommuner: operators fix data wherever it is (audited as
        themselves by the request scope)."""
        from functools import wraps

        from core.tenancy import unscoped

        @wraps(view)
        def national(request, *args, **kwargs):
            with unscoped(reason="operator admin (superuser only)"):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()  # lazy querysets must run inside the unscoped block
                return response

        return super().admin_view(national, cacheable)

    def login(self, request, extra_context=None):
        # Imported here: this module is loaded (through INSTALLED_APPS) before the app registry is ready.
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)


class SuperuserAdminConfig(AdminConfig):
    """Django admin, open to superusers only (replaces django.contrib.admin in INSTALLED_APPS)."""

    default_site = "core.admin_site.SuperuserAdminSite"

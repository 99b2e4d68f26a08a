from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    """The Django admin is a superuser tool; staff status alone does not open it."""

    site_header = _("Fastlegeadministrasjon – drift")
    site_title = _("Fastlegeadministrasjon")

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class SuperuserAdminConfig(AdminConfig):
    """Django admin, open to superusers only (replaces django.contrib.admin in INSTALLED_APPS)."""

    default_site = "core.admin_site.SuperuserAdminSite"

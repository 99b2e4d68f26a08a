"""System checks that keep the platform conventions from eroding silently."""

from django.apps import apps
from django.core import checks
from django.db import models

from core.models import BUMP_VERSION_TRIGGER, VersionedModel


@checks.register(checks.Tags.models)
def versioned_models_keep_their_trigger(app_configs, **kwargs):
    errors = []
    for model in apps.get_models():
        if not issubclass(model, VersionedModel):
            continue
        names = {trigger.name for trigger in getattr(model._meta, "triggers", [])}
        if BUMP_VERSION_TRIGGER not in names:
            errors.append(
                checks.Error(
                    f"{model._meta.label} mangler versjonstriggeren {BUMP_VERSION_TRIGGER}.",
                    hint="Skriv `class Meta(VersionedModel.Meta):` slik at triggeren arves.",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors


@checks.register(checks.Tags.models)
def tenant_models_fail_closed(app_configs, **kwargs):
    """core.E002: a tenant model's default and base managers are the scoped one.
    core.E003: its unique constraints include the tenant column (uniqueness validation is scoped)."""
    from core.tenancy import TenantManager, TenantModel

    errors = []
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        if not isinstance(model._default_manager, TenantManager) or not isinstance(model._base_manager, TenantManager):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: standard- og basismanager må være TenantManager.",
                    hint="Arv Meta: `class Meta(TenantModel.Meta)` og ikke overstyr `objects`.",
                    obj=model,
                    id="core.E002",
                )
            )
        if model.tenant_field == "id" or model.tenant_shared:
            continue
        tenant = model._meta.get_field(model.tenant_field).attname
        unique_sets = [(field.name,) for field in model._meta.local_fields if field.unique and not field.primary_key]
        unique_sets += [tuple(fields) for fields in model._meta.unique_together]
        unique_sets += [
            tuple(constraint.fields) or ("<uttrykk>",)
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
        ]
        for fields in unique_sets:
            names = {model._meta.get_field(name).attname if name != "<uttrykk>" else name for name in fields}
            if tenant not in names:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}: unikhet på {', '.join(fields)} uten {model.tenant_field}.",
                        hint="Unikhetsregler på kommunedata må gjelde per kommune, ellers lekker eller svikter valideringen.",
                        obj=model,
                        id="core.E003",
                    )
                )
    return errors

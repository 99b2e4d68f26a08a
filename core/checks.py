"""System checks that keep the platform conventions from eroding silently."""

from django.apps import apps
from django.core import checks

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

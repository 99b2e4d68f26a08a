"""The tenancy mechanism itself: fail closed, and no leak through related objects or uniqueness."""

import datetime as dt

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps

from core.context import scope
from core.tenancy import NoTenantScope, TenantModel, unscoped
from kommune import services
from kommune.models import Innbyggertall, Kommune, Rolle
from tests.conftest import in_kommune


def test_a_query_on_a_tenant_model_without_scope_raises(db):
    with pytest.raises(NoTenantScope):
        list(Innbyggertall.objects.all())
    with pytest.raises(NoTenantScope):
        Kommune.objects.count()


def test_a_scope_sees_only_its_own_kommune(bergen, sunnfjord):
    with in_kommune(bergen):
        assert list(Kommune.objects.values_list("kommunenummer", flat=True)) == ["4601"]
        assert set(Innbyggertall.objects.values_list("kommune_id", flat=True)) == {bergen.pk}
        assert not Kommune.objects.filter(kommunenummer="4647").exists()


def test_unscoped_needs_a_reason_and_sees_everything(db):
    with pytest.raises(ValueError):
        with unscoped(reason=" "):
            pass
    with unscoped(reason="test: the whole register"):
        assert Kommune.objects.count() == 357
    with pytest.raises(NoTenantScope):  # and it ends with the block
        Kommune.objects.count()


def test_following_a_foreign_key_into_another_kommune_finds_nothing(bergen, sunnfjord):
    with unscoped(reason="test: fetch B's row"):
        b_figure = Innbyggertall.objects.get(kommune=sunnfjord)
    with in_kommune(bergen):
        # Forward access uses the base manager: scoped, so B's kommune is not found.
        b_figure._state.fields_cache.clear()
        with pytest.raises(Kommune.DoesNotExist):
            b_figure.kommune  # noqa: B018
        # Reverse access and prefetching use the scoped manager too.
        assert list(sunnfjord.innbyggertall.all()) == []
        assert list(Kommune.objects.prefetch_related("innbyggertall").filter(pk=sunnfjord.pk)) == []
        with pytest.raises(Innbyggertall.DoesNotExist):
            b_figure.refresh_from_db()


def test_saving_or_deleting_another_kommunes_row_is_refused(bergen, sunnfjord):
    with unscoped(reason="test: fetch B's row"):
        b_figure = Innbyggertall.objects.get(kommune=sunnfjord)
    with in_kommune(bergen):
        b_figure.antall = 1
        with pytest.raises(NoTenantScope):
            b_figure.save()
        with pytest.raises(NoTenantScope):
            b_figure.delete()
        with pytest.raises(NoTenantScope):
            Innbyggertall.objects.create(kommune=sunnfjord, gjelder_fra=dt.date(2030, 1, 1), antall=1, kilde="x")
        with pytest.raises(NoTenantScope):
            Innbyggertall.objects.bulk_create([Innbyggertall(kommune=sunnfjord, gjelder_fra=dt.date(2030, 1, 1), antall=1, kilde="x")])
        # Bulk writes through the scoped queryset cannot reach B either.
        assert Innbyggertall.objects.filter(pk=b_figure.pk).update(antall=2) == 0
    with unscoped(reason="test: B unchanged"):
        assert Innbyggertall.objects.get(pk=b_figure.pk).antall != 1
        assert Innbyggertall.objects.filter(kommune=sunnfjord, gjelder_fra=dt.date(2030, 1, 1)).count() == 0


def test_uniqueness_validation_is_per_kommune_and_does_not_see_other_kommuner(bergen, sunnfjord):
    day = dt.date(2026, 1, 1)
    with in_kommune(sunnfjord):
        services.record_innbyggertall(kommune=sunnfjord, gjelder_fra=day, antall=5, kilde="B")
    with in_kommune(bergen):
        # B's figure for the same date neither blocks nor shows through A's validation.
        figure = services.record_innbyggertall(kommune=bergen, gjelder_fra=day, antall=7, kilde="A")
        figure.validate_unique()
        duplicate = Innbyggertall(kommune=bergen, gjelder_fra=day, antall=8, kilde="A")
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert "allerede et innbyggertall" in str(error.value)
        # A role for a user is unique per kommune, never across kommuner.
        assert Rolle._meta.get_field("kommune").name in Rolle._meta.constraints[0].fields


def test_the_project_passes_the_tenancy_checks():
    from core.checks import tenant_models_fail_closed

    assert tenant_models_fail_closed(None) == []


@isolate_apps("kommune")
def test_system_check_refuses_uniqueness_across_kommuner_and_an_unscoped_manager(monkeypatch):
    from core import checks as core_checks

    class Leaky(TenantModel):
        kommune = models.ForeignKey(Kommune, on_delete=models.CASCADE)
        kode = models.CharField(max_length=10, unique=True)

        class Meta(TenantModel.Meta):
            app_label = "kommune"

    class Unscoped(TenantModel):
        kommune = models.ForeignKey(Kommune, on_delete=models.CASCADE)
        objects = models.Manager()

        class Meta:
            app_label = "kommune"

    monkeypatch.setattr(core_checks, "apps", type("Registry", (), {"get_models": staticmethod(lambda: [Leaky, Unscoped])}))
    found = {(error.id, error.obj) for error in core_checks.tenant_models_fail_closed(None)}
    assert ("core.E003", Leaky) in found
    assert ("core.E002", Unscoped) in found
    assert all(isinstance(error, checks.Error) for error in core_checks.tenant_models_fail_closed(None))


def test_scope_is_restored_after_nesting_and_requires_an_actor(bergen):
    with pytest.raises(ValueError):
        with scope(kommune_id=bergen.pk, actor=""):
            pass
    with in_kommune(bergen):
        with scope(kommune_id=None, actor="test"):
            with pytest.raises(NoTenantScope):
                Kommune.objects.count()
        assert Kommune.objects.count() == 1

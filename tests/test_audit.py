"""Audit: every change to domain data records who, when and what — whatever wrote it."""

import contextvars
import io

import pytest
from celery import shared_task
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from pghistory.models import Context

from core.context import scope
from core.history import history_for
from core.tasks import enqueue
from kommune.models import Innbyggertall, Rolle
from tests.conftest import in_kommune


def tracked_event_models():
    from django.apps import apps
    from pghistory.models import Event

    return [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]


@shared_task(name="tests.audit_set_figure")
def set_figure(*, pk, antall):
    Innbyggertall.objects.filter(pk=pk).update(antall=antall)


def _figure(k):
    with in_kommune(k):
        return Innbyggertall.objects.filter(kommune=k).first()


def test_update_bulk_update_and_delete_record_the_actor(bergen, api, overlege):
    created = api.post("/api/v1/kommuner/4601/innbyggertall/", {"gjelder_fra": "2031-01-01", "antall": 1, "kilde": "x"}, format="json")
    pk = created.json()["id"]
    with in_kommune(bergen), scope(kommune_id=bergen.pk, actor="bruker:999999"):
        Innbyggertall.objects.filter(kommune=bergen).update(kilde="bulk")  # a bulk update
    assert api.delete(f"/api/v1/kommuner/4601/innbyggertall/{pk}/", HTTP_IF_MATCH='"2"').status_code == 204
    with in_kommune(bergen):
        from pghistory.models import Events

        events = list(Events.objects.filter(pgh_obj_model="kommune.Innbyggertall", pgh_obj_id=str(pk)).order_by("pgh_created_at"))
    assert [(e.pgh_label, e.pgh_context["actor"]) for e in events] == [
        ("insert", f"bruker:{overlege.pk}"),
        ("update", "bruker:999999"),
        ("delete", f"bruker:{overlege.pk}"),
    ]
    assert events[1].pgh_diff["kilde"] == ["x", "bulk"]


def test_a_task_write_records_the_enqueuing_actor_or_the_task(bergen, django_capture_on_commit_callbacks):
    figure = _figure(bergen)
    with django_capture_on_commit_callbacks(execute=True), scope(kommune_id=bergen.pk, actor="bruker:4242"):
        enqueue(set_figure, pk=figure.pk, antall=11)
    set_figure.apply(kwargs={"pk": figure.pk, "antall": 12, "_kommune_id": bergen.pk})
    with in_kommune(bergen):
        actors = [entry.aktor for entry in history_for(figure)[:2]]
    assert actors == ["oppgave:tests.audit_set_figure", "bruker:4242"]


def test_a_task_does_not_take_over_the_history_of_the_request_that_queued_it(bergen, django_capture_on_commit_callbacks):
    """Nested scopes are separate audit contexts: earlier changes keep their actor."""
    figure = _figure(bergen)
    with scope(kommune_id=bergen.pk, actor="bruker:1111"):
        Innbyggertall.objects.filter(pk=figure.pk).update(kilde="fra forespørselen")
        set_figure.apply(kwargs={"pk": figure.pk, "antall": 13, "_kommune_id": bergen.pk})
    with in_kommune(bergen):
        entries = history_for(figure)
    assert [e.aktor for e in entries[:2]] == ["oppgave:tests.audit_set_figure", "bruker:1111"]


def test_a_command_write_records_the_command(db):
    call_command("grant_role", "--email", "ny@test.no", "--kommune", "1825", "--role", "lege", stdout=io.StringIO())
    context = Context.objects.filter(metadata__actor="kommando:grant_role").get()
    assert context.metadata["kjort_av"]


def test_a_write_without_an_actor_is_refused_by_the_database(bergen):
    figure = _figure(bergen)

    def forgetful_writer():  # runs with no scope at all (a fresh context)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE kommune_innbyggertall SET antall = antall + 1 WHERE id = %s", [figure.pk])

    # The history trigger finds no context, and the NOT NULL column refuses the change.
    with pytest.raises(IntegrityError, match="pgh_context"):
        contextvars.Context().run(forgetful_writer)


def test_admin_changes_are_attributed_to_the_operator(superuser, client, bergen, leser):
    client.force_login(superuser)
    with in_kommune(bergen):
        rolle = Rolle.objects.get(bruker=leser)
    assert client.get("/admin/kommune/rolle/").status_code == 200
    response = client.post(f"/admin/kommune/rolle/{rolle.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with in_kommune(bergen):
        assert not Rolle.objects.filter(pk=rolle.pk).exists()
        assert history_for(rolle)[0].hendelse == "delete"
        assert history_for(rolle)[0].aktor == f"bruker:{superuser.pk}"


def test_every_history_row_of_the_demo_data_has_an_actor(db):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    missing = 0
    for model in tracked_event_models():
        missing += model.objects.filter(Q(pgh_context__isnull=True) | ~Q(pgh_context__metadata__has_key="actor")).count()
        assert model._meta.get_field("pgh_context").null is False, model
    assert missing == 0
    assert Context.objects.filter(metadata__actor="kommando:seed_demo").exists()

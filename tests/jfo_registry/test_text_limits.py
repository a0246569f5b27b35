"""Free text users type is bounded (`jfo_registry.core.models.long_text`), the same way at every
entry point: model validation, the API (and its schema), the pages and imports."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from agreements.models import GapAction
from jfo_registry.core.models import LONG_TEXT_MAX_LENGTH
from operations.models import Assignment
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (LONG_TEXT_MAX_LENGTH + 1)
# Text the registry writes itself, never typed in.
SYSTEM_TEXT = {("agreements", "remindersent", "recipients")}


def typed_text_fields():
    for model in apps.get_models():
        if model._meta.app_label in {"operations", "agreements", "jfo_registry"} and not model.__name__.startswith("Historical"):
            for field in model._meta.concrete_fields:
                if isinstance(field, models.TextField) and (model._meta.app_label, model._meta.model_name, field.name) not in SYSTEM_TEXT:
                    yield model, field


def test_every_text_users_type_has_the_limit():
    fields = list(typed_text_fields())
    assert {f"{model.__name__}.{field.name}" for model, field in fields} >= {
        "Assignment.notes", "JointForceOperation.objectives", "Arrangement.notes", "GapAction.action", "GapAction.notes",
    }
    for model, field in fields:
        assert field.max_length == LONG_TEXT_MAX_LENGTH, (model, field.name)


def test_model_validation_refuses_one_character_too_many():
    assignment = make_assignment(notes="x" * LONG_TEXT_MAX_LENGTH)
    assignment.full_clean()
    assignment.notes = TOO_LONG
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert refused.value.message_dict == {"notes": ["Ensure this value has at most 4000 characters (it has 4001)."]}


def test_the_api_refuses_it_and_its_schema_says_so(api, administrator):
    login(api, administrator)
    payload = {"officer": make_officer().pk, "jfo": make_jfo().pk, "fte": 0.5, "start_date": "2010-04-01",
               "notes": TOO_LONG}
    response = api.post("/api/v1/assignments/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"notes": ["Ensure this field has no more than 4000 characters."]}
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, field in (("AssignmentRequest", "notes"), ("PatchedArrangementRequest", "notes"),
                             ("JointForceOperationRequest", "objectives"), ("GapActionRequest", "action")):
        assert schema[component]["properties"][field]["maxLength"] == LONG_TEXT_MAX_LENGTH


def test_the_pages_announce_and_refuse_it(client, gta_manager):
    client.force_login(gta_manager)
    assignment = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), start=datetime.date(2020, 4, 1))
    url = f"/assignments/{assignment.pk}/correct/"  # the page that writes an assignment's notes
    assert f'maxlength="{LONG_TEXT_MAX_LENGTH}"' in client.get(url).content.decode()
    response = client.post(url, {"fte": "1.00", "start_date": "2020-04-01", "end_date": "", "role": "",
                                 "notes": TOO_LONG, "reason": "Typo", "version": assignment.last_updated.isoformat()})
    assert response.status_code == 400
    assert response.context["form"].errors == {"notes": ["Ensure this value has at most 4000 characters (it has 4001)."]}
    assert Assignment.objects.get(pk=assignment.pk).notes == ""
    unit = make_jfo("GTA")
    response = client.post(f"/jfos/{unit.pk}/gap-actions/new/", {
        "action": TOO_LONG, "owner": "GTA", "due_date": datetime.date(2027, 1, 1).isoformat(), "status": "open", "notes": "",
    })
    assert response.status_code == 400
    assert "action" in response.context["form"].errors
    assert not GapAction.objects.filter(jfo=unit).exists()

"""jfo_registry.core.validators: one-line text refuses control characters, multi-line text keeps only
tabs and line breaks — through the models, the API, the pages, the admin and the import."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from agreements.models import Arrangement, ArrangementDocument, ConditionCoverage, GapAction
from jfo_registry.core.concurrency import version_of
from jfo_registry.core.validators import validate_file_name, validate_multi_line, validate_single_line
from operations import importers
from operations.models import Agency, JointForceOperation, Officer, Region
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

# Control characters, and the invisible ones that reorder or hide text (right-to-left override,
# left-to-right embedding, first-strong isolate, zero-width space, byte-order mark).
REFUSED_EVERYWHERE = ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\u202e", "\u202a", "\u2068", "\u200b", "\ufeff"]
LINE_BREAKS_AND_TAB = ["\n", "\r", "\t"]


@pytest.mark.parametrize("character", [*REFUSED_EVERYWHERE, *LINE_BREAKS_AND_TAB, "\u2028", "\u2029"])
def test_one_line_text_refuses_control_characters_and_line_separators(character):
    with pytest.raises(ValidationError) as raised:
        validate_single_line(f"WCA{character}2011")
    assert raised.value.code == "control_character"
    assert f"U+{ord(character):04X}" in raised.value.messages[0]


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE)
def test_multi_line_text_refuses_other_control_characters(character):
    with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
        validate_multi_line(f"first line\n{character}")


# Joiners and direction marks shape ordinary words in some scripts: they stay allowed.
@pytest.mark.parametrize("text", ["Équipe intégrée – Région du Grand Toronto", "IBET 🇨🇦", "O'Neil", "", "=1+1",
                                  "می\u200cخواهم", "👩\u200d💻", "\u200fשלום"])
def test_ordinary_text_passes_both(text):
    validate_single_line(text)
    validate_multi_line(text)


def test_multi_line_text_keeps_tabs_and_line_breaks():
    validate_multi_line("Objectives:\r\n\t- intelligence\n\t- investigations\u2028")


def test_the_messages_name_the_character_in_both_languages():
    with pytest.raises(ValidationError) as raised:
        validate_single_line("a\nb")
    assert raised.value.messages == [
        "This text must be a single line without control characters; it contains a line break (U+000A)."
    ]
    with pytest.raises(ValidationError) as raised:
        validate_single_line("a\tb")
    with translation.override("fr"):  # shown in the language of whoever reads it
        assert raised.value.messages == [
            "Ce texte doit tenir sur une seule ligne, sans caractère de contrôle ; il contient une tabulation (U+0009)."
        ]
    with pytest.raises(ValidationError) as raised:
        validate_multi_line("a\x00b")
    with translation.override("fr"):
        assert "le caractère de contrôle U+0000" in raised.value.messages[0]


def test_a_file_name_is_one_line():
    with pytest.raises(ValidationError):
        validate_file_name(ArrangementDocument(file="arrangements/1/signed\r\n.pdf").file)
    validate_file_name(ArrangementDocument(file="arrangements/1/signed.pdf").file)


# Text that is written by the registry itself.
NOT_USER_TEXT = {("agreements", "remindersent", "recipients")}


def registry_text_fields():
    for label in ("operations", "agreements"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField, models.FileField)) and field.editable:
                    yield label, model._meta.model_name, field


def test_every_one_line_text_field_refuses_control_characters():
    """Names, codes, references, titles, owners, file names: each field a user types into."""
    for label, model, field in registry_text_fields():
        if isinstance(field, models.SlugField) or field.choices or (label, model, field.name) in NOT_USER_TEXT:
            continue  # slugs and choices accept only their own values
        if isinstance(field, models.TextField):
            assert validate_multi_line in field.validators or validate_single_line in field.validators, f"{model}.{field.name}"
        elif isinstance(field, models.FileField):
            assert validate_file_name in field.validators, f"{model}.{field.name}"
        else:
            assert validate_single_line in field.validators, f"{model}.{field.name}"


# --- Through each entry point -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/officers/", {"employee_number": "N-1", "name": "New\nOfficer", "position": "IO",
                               "classification": "FB-04", "active": True}, "name"),
        ("/api/v1/officers/", {"employee_number": "N\t2", "name": "New Officer", "position": "IO",
                               "classification": "FB-04", "active": True}, "employee_number"),
        ("/api/v1/agencies/", {"acronym": "AG\r1", "name_en": "Test Police", "jurisdiction": "municipal",
                               "country": "CA"}, "acronym"),
        ("/api/v1/regions/", {"code": "Z\x001", "name_en": "Test", "name_fr": "Essai"}, "code"),
        ("/api/v1/officers/", {"employee_number": "N-3", "name": "ab\u202ecd", "position": "IO",
                               "classification": "FB-04", "active": True}, "name"),
        ("/api/v1/officers/", {"employee_number": "N-4", "name": "ab\u200bcd", "position": "IO",
                               "classification": "FB-04", "active": True}, "name"),
        ("/api/v1/arrangements/", {"reference": "WCA-1\nBcc: x@example.com", "title": "Test", "kind": "wca",
                                   "status": "draft"}, "reference"),
        ("/api/v1/arrangements/", {"reference": "WCA-2", "title": "Test\x1b[31m", "kind": "wca",
                                   "status": "draft"}, "title"),
    ],
)
def test_the_api_refuses_control_characters_and_creates_nothing(api, administrator, path, payload, field):
    if path == "/api/v1/officers/":
        payload = {**payload, "home_region": Region.objects.get(code="GTA").pk}
    login(api, administrator)
    model_counts = {m: m.objects.count() for m in (Officer, Agency, Region, Arrangement)}
    response = api.post(path, payload, format="json")
    assert response.status_code == 400
    assert "control characters" in response.json()[field][0]
    assert {m: m.objects.count() for m in model_counts} == model_counts


@pytest.mark.django_db
def test_the_api_refuses_them_in_updates_nested_rows_and_renewals(api, administrator):
    login(api, administrator)
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    url = f"/api/v1/arrangements/{arrangement.pk}/"
    response = api.patch(url, {"title": "Renamed\r\narrangement"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400 and "title" in response.json()
    coverage = {"condition": arrangement.condition_coverages.first().condition_id, "status": "addressed",
                "clause_reference": "s. 3\n.1"}
    response = api.patch(url, {"condition_coverages": [coverage]}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400 and "control characters" in str(response.json())
    response = api.post(f"{url}renew/", {"reference": "WCA-2031\nTADEU"}, format="json")
    assert response.status_code == 400 and "control characters" in response.json()["reference"][0]
    assert Arrangement.objects.get(pk=arrangement.pk).title == arrangement.title
    assert not arrangement.successors.exists()
    unit = JointForceOperation.objects.get(acronym="CSIS-JFO")
    response = api.post("/api/v1/gap-actions/", {"jfo": unit.pk, "action": "Negotiate\na WCA", "owner": "GTA",
                                                  "due_date": "2027-01-01"}, format="json")
    assert response.status_code == 400 and "action" in response.json()
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"objectives": "Line one\n\tLine two"}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == 200  # multi-line text keeps its line breaks and tabs
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"objectives": "Bell\x07"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400 and "objectives" in response.json()


@pytest.mark.django_db
def test_the_pages_refuse_control_characters(client, gta_manager):
    client.force_login(gta_manager)
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    response = client.post(f"/arrangements/{arrangement.pk}/renew/", {"reference": "WCA-2031\rTADEU", "title": ""})
    assert response.status_code == 400 and "single line" in response.content.decode()
    assert not arrangement.successors.exists()
    unit = JointForceOperation.objects.get(acronym="CSIS-JFO")
    response = client.post(f"/jfos/{unit.pk}/gap-actions/new/",
                           {"action": "Negotiate a WCA", "owner": "GTA\nmanager", "due_date": "2027-03-31", "status": "open"})
    assert response.status_code == 400 and "single line" in response.content.decode()
    assert not GapAction.objects.filter(jfo=unit).exists()
    officer = make_officer("GTA")
    response = client.post(
        f"/jfos/{make_jfo('GTA').pk}/assignments/new/",
        {"officer": officer.employee_number, "fte": "0.50", "start_date": "2020-04-01", "end_date": "",
         "role": "IO\tanalyst", "notes": ""},
    )
    assert response.status_code == 400 and "single line" in response.content.decode()
    assert not officer.assignments.exists()
    coverage = ConditionCoverage.objects.filter(arrangement=arrangement).order_by("condition__letter")
    data = {"conditions-TOTAL_FORMS": str(coverage.count()), "conditions-INITIAL_FORMS": str(coverage.count()),
            "conditions-MIN_NUM_FORMS": "0", "conditions-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(coverage):
        data.update({f"conditions-{index}-id": row.pk, f"conditions-{index}-version": version_of(row),
                     f"conditions-{index}-status": "addressed", f"conditions-{index}-clause_reference": "Article\n2"})
    response = client.post(f"/arrangements/{arrangement.pk}/conditions/", data)
    assert response.status_code == 400 and "single line" in response.content.decode()
    assert not ConditionCoverage.objects.filter(arrangement=arrangement, status="addressed").exists()


@pytest.mark.django_db
def test_the_admin_refuses_control_characters(admin_client):
    response = admin_client.post(reverse("admin:operations_agency_add"), {
        "acronym": "AG\t9", "name_en": "Test Police", "name_fr": "", "jurisdiction": "municipal", "country": "CA",
        "active": "on",
    })
    assert response.status_code == 200
    assert "single line" in response.content.decode()
    assert not Agency.objects.filter(name_en="Test Police").exists()


@pytest.mark.django_db
def test_the_import_refuses_control_characters_and_imports_nothing():
    content = (
        "employee_number,name,position,classification,home_region,active\r\n"
        'N-100,"First\nOfficer",IO,FB-04,GTA,true\r\n'
        "N-101,Second Officer,IO,FB-04,GTA,true\r\n"
    ).encode()
    summary = importers.import_file("officers", content, "csv")
    assert [(error.row, "single line" in error.message) for error in summary.errors] == [(1, True)]
    assert not Officer.objects.filter(employee_number__in=["N-100", "N-101"]).exists()
    unit = make_jfo("GTA")
    assignment = make_assignment(jfo=unit, start=datetime.date(2020, 4, 1))
    content = (
        "employee_number,jfo,fte,start_date,end_date,role,notes\r\n"
        f"{assignment.officer.employee_number},{unit.acronym},1.00,2020-04-01,,IO\x1b,\r\n"
    ).encode()
    summary = importers.import_file("assignments", content, "csv")
    assert not summary.ok and "U+001B" in summary.errors[0].message


def test_invisible_formatting_characters_are_named_as_such_in_both_languages():
    with pytest.raises(ValidationError) as raised:
        validate_single_line("ab\u202ecd")
    assert "the invisible formatting character U+202E" in raised.value.messages[0]
    with translation.override("fr"):
        assert "le caractère de mise en forme invisible U+202E" in raised.value.messages[0]

"""Issue 10, points 1 and 9: an assignment or an officer is judged by the region rule as stored
and as the write would leave it, through the API, the admin, the services and imports; and the
API refuses another region's assignment with 403 before the FTE rule could describe the officer's
other assignments."""

import datetime

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jfo_registry.core.concurrency import version_of
from operations import importers, services
from operations.models import Assignment, Officer, Region
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db


def values(record) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


@pytest.fixture
def pac_officer_full_time():
    """A PAC officer at 1.00 FTE on a PAC unit from 2010 on: any more is an over-allocation."""
    assignment = make_assignment(officer=make_officer("PAC"), jfo=make_jfo("PAC"), fte="1.00")
    return assignment.officer


def test_api_refuses_an_assignment_in_another_region_with_403_before_the_fte_rule(api, gta_manager, pac_officer_full_time):
    login(api, gta_manager)
    officer = pac_officer_full_time
    pac_unit = make_jfo("PAC")
    before = Assignment.objects.count()
    response = api.post(
        "/api/v1/assignments/",
        {"officer": officer.pk, "jfo": pac_unit.pk, "fte": "0.50", "start_date": "2020-04-01"},
        format="json",
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert officer.name not in body and "FTE" not in body  # nothing of the officer's assignments
    assert Assignment.objects.count() == before


def test_api_the_fte_rule_still_answers_400_in_the_managers_region(api, gta_manager, pac_officer_full_time):
    login(api, gta_manager)
    response = api.post(
        "/api/v1/assignments/",
        {"officer": pac_officer_full_time.pk, "jfo": make_jfo("GTA").pk, "fte": "0.50", "start_date": "2020-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "would be assigned more than 1.00 FTE" in response.json()["fte"][0]


#: An open fiscal year's first day (2010-2011 is closed: a write altering it is refused but to an
#: administrator giving a reason, tests/operations/test_effective_dating.py); the region rules apply alike.
OPEN_YEAR = datetime.date(2020, 4, 1)


def assignment_in(region: str) -> Assignment:
    return make_assignment(officer=make_officer(region), jfo=make_jfo(region), fte="0.50", start=OPEN_YEAR)


MOVES = {  # resource: (a record in a region, the field that places it, its value for a region)
    "assignments": (assignment_in, "jfo", lambda region: make_jfo(region).pk),
    "officers": (make_officer, "home_region", lambda region: Region.objects.get(code=region).pk),
}


@pytest.mark.parametrize("resource", MOVES)
def test_api_refuses_moving_a_record_into_or_out_of_the_region(api, gta_manager, resource):
    login(api, gta_manager)
    make, field, place = MOVES[resource]
    gta, pac = make("GTA"), make("PAC")
    before = [values(gta), values(pac)]
    out = api.patch(f"/api/v1/{resource}/{gta.pk}/", {field: place("PAC")}, format="json", HTTP_IF_MATCH="*")
    assert out.status_code == 403
    into = api.patch(f"/api/v1/{resource}/{pac.pk}/", {field: place("GTA")}, format="json", HTTP_IF_MATCH="*")
    assert into.status_code == 403
    assert [values(gta), values(pac)] == before
    within = api.patch(f"/api/v1/{resource}/{gta.pk}/", {field: place("GTA")}, format="json", HTTP_IF_MATCH="*")
    assert within.status_code == 200


def test_administrators_move_assignments_between_regions(api, administrator):
    login(api, administrator)
    gta = make_assignment(jfo=make_jfo("GTA"), fte="0.50", start=OPEN_YEAR)
    pac_unit = make_jfo("PAC")
    response = api.patch(f"/api/v1/assignments/{gta.pk}/", {"jfo": pac_unit.pk}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert Assignment.objects.get(pk=gta.pk).jfo == pac_unit


def test_the_services_check_the_stored_and_the_new_state(gta_manager):
    gta = make_assignment(jfo=make_jfo("GTA"), fte="0.50", start=OPEN_YEAR)
    pac = make_assignment(officer=make_officer("PAC"), jfo=make_jfo("PAC"), fte="0.50", start=OPEN_YEAR)
    before = [values(gta), values(pac)]
    with pytest.raises(PermissionDenied):
        services.assignment_update(assignment=Assignment.objects.get(pk=gta.pk), jfo=make_jfo("PAC"), actor=gta_manager)
    with pytest.raises(PermissionDenied):
        services.assignment_update(assignment=Assignment.objects.get(pk=pac.pk), jfo=make_jfo("GTA"), actor=gta_manager)
    with pytest.raises(PermissionDenied):
        services.assignment_end(assignment=Assignment.objects.get(pk=pac.pk), end_date=datetime.date(2021, 3, 31), actor=gta_manager)
    assert [values(gta), values(pac)] == before
    services.assignment_end(assignment=Assignment.objects.get(pk=gta.pk), end_date=datetime.date(2021, 3, 31), actor=gta_manager)
    assert Assignment.objects.get(pk=gta.pk).end_date == datetime.date(2021, 3, 31)


# --- the admin, for a manager someone made staff by hand ----------------------------------------



def test_admin_offers_only_units_of_the_region_and_refuses_others(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    assignment = make_assignment(jfo=make_jfo("GTA"), fte="0.50")
    url = reverse("admin:operations_assignment_change", args=[assignment.pk])
    choices = client.get(url).context["adminform"].form.fields["jfo"].queryset
    assert set(choices.values_list("region__code", flat=True)) == {"GTA"}
    before = values(assignment)
    response = client.post(url, {
        "officer": assignment.officer.pk, "jfo": make_jfo("PAC").pk, "fte": "0.50", "start_date": "2010-04-01",
        "end_date": "", "role": "", "notes": "", "version": version_of(assignment),
    })
    assert response.status_code == 200
    assert "jfo" in response.context["adminform"].form.errors
    assert values(assignment) == before


def officer_form(officer: Officer, **changes) -> dict:
    data = {
        "employee_number": officer.employee_number, "name": officer.name, "position": officer.position,
        "classification": officer.classification, "home_region": officer.home_region.pk, "active": "on",
        "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_admin_refuses_moving_an_officer_or_adding_an_inline_assignment_outside_the_region(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    officer = make_officer("GTA")
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    before = values(officer)
    response = client.post(url, officer_form(officer, home_region=Region.objects.get(code="PAC").pk))
    assert response.status_code == 200  # refused by the form: another region is not among its choices
    assert list(response.context["adminform"].form.errors) == ["home_region"]
    inline = {
        "assignments-TOTAL_FORMS": "1", "assignments-0-jfo": make_jfo("PAC").pk, "assignments-0-fte": "0.50",
        "assignments-0-start_date": "2020-04-01",
    }
    response = client.post(url, officer_form(officer, **inline))
    assert response.status_code == 403
    assert values(officer) == before
    assert not officer.assignments.exists()


# --- imports ------------------------------------------------------------------------------------


def assignments_file(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=["employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes"])


def test_import_by_a_manager_refuses_rows_outside_their_region(gta_manager):
    officer = make_officer("GTA")
    gta_unit, pac_unit = make_jfo("GTA"), make_jfo("PAC")
    dataset = assignments_file(
        [officer.employee_number, gta_unit.acronym, "0.50", "2020-04-01", "", "", ""],
        [officer.employee_number, pac_unit.acronym, "0.50", "2020-04-01", "", "", ""],
    )
    summary = importers.import_dataset("assignments", dataset, actor=gta_manager)
    assert [(error.row, error.message) for error in summary.errors] == [
        (2, "You may only import records of your own regions.")
    ]
    assert not officer.assignments.exists()
    summary = importers.import_dataset("assignments", assignments_file(dataset[0]), actor=gta_manager)
    assert summary.ok and summary.created == 1
    assert officer.assignments.get().jfo == gta_unit


def test_import_by_a_manager_refuses_moving_an_officer_out_of_the_region(gta_manager):
    officer = make_officer("GTA")
    dataset = tablib.Dataset(
        [officer.employee_number, officer.name, officer.position, officer.classification, "PAC", "true"],
        headers=["employee_number", "name", "position", "classification", "home_region", "active"],
    )
    summary = importers.import_dataset("officers", dataset, actor=gta_manager)
    assert [error.row for error in summary.errors] == [1]
    assert Officer.objects.get(pk=officer.pk).home_region.code == "GTA"
    # The command line (no user) and administrators move officers freely.
    assert importers.import_dataset("officers", dataset).ok
    assert Officer.objects.get(pk=officer.pk).home_region.code == "PAC"


def test_admin_import_passes_the_signed_in_user(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    officer = make_officer("GTA")
    url = reverse("admin:operations_assignment_import")
    formats = client.get(url).context["form"].fields["format"].choices
    csv_index = next(value for value, label in formats if str(label).lower() == "csv")
    text = f"employee_number,jfo,fte,start_date,end_date,role,notes\n{officer.employee_number},{make_jfo('PAC').acronym},0.50,2020-04-01,,,\n"
    upload = SimpleUploadedFile("assignments.csv", text.encode(), content_type="text/csv")
    response = client.post(url, {"format": csv_index, "import_file": upload, "resource": 0})
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "You may only import records of your own regions." in response.content.decode()
    assert not officer.assignments.exists()

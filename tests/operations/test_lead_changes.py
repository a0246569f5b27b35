"""A change of a unit's lead agencies rewrites the resources report by lead agency of every year
the unit had assignments (review finding 4): one service, `services.participations_replace`
(checked by `services.check_participations_change`), called by the API's nested participations,
the admin's inline and participation pages and the JFO import. Inside the closed 2010-2011 it is
refused to anyone but an administrator giving a reason, which is recorded."""

from __future__ import annotations

import datetime

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jfo_registry.core.fiscal import FiscalYear
from operations import importers, services
from operations.models import Agency, ClosedYearCorrection, Participation, Program
from operations.selectors import resources_report
from tests.api import login
from tests.conftest import make_assignment, make_jfo

D = datetime.date
YEAR = FiscalYear(2010)


@pytest.fixture
def led_unit(db):
    """A GTA unit of its own program, 1.00 FTE from 2010-04-01: RCMP leads, OPP is a partner."""
    program = Program.objects.create(code="TSTL", name_en="Test", name_fr="Essai", default_jfo_type="regional")
    unit = make_jfo("GTA", program=program)
    make_assignment(jfo=unit, start=D(2010, 4, 1))
    Participation.objects.create(jfo=unit, agency=Agency.objects.get(acronym="RCMP"), role="lead")
    Participation.objects.create(jfo=unit, agency=Agency.objects.get(acronym="OPP"), role="partner")
    return unit


def by_lead() -> list[tuple]:
    report = resources_report(YEAR, "lead_agency", program="TSTL")
    return [(row.key, row.fte_years) for row in report.rows]


def roles_of(unit) -> list[tuple]:
    return sorted(unit.participations.values_list("agency__acronym", "role"))


def swapped() -> list[dict]:
    return [{"agency": Agency.objects.get(acronym="OPP"), "role": "lead"},
            {"agency": Agency.objects.get(acronym="RCMP"), "role": "partner"}]


def test_the_report_by_lead_is_what_the_fixture_says(led_unit):
    assert [key for key, _fte in by_lead()] == ["RCMP"]


def test_a_non_administrators_change_of_leads_inside_the_closed_year_is_refused_naming_it(led_unit, gta_manager):
    before = by_lead()
    with pytest.raises(PermissionDenied):  # managers hold no permission on participations
        services.participations_replace(led_unit, swapped(), actor=gta_manager)
    gta_manager.user_permissions.add(*Permission.objects.filter(codename__in=["add_participation", "change_participation", "delete_participation"]))
    gta_manager = type(gta_manager).objects.get(pk=gta_manager.pk)  # permissions re-read
    with pytest.raises(ValidationError) as refused:
        services.participations_replace(led_unit, swapped(), actor=gta_manager, reason="Because")
    assert "2010-2011" in str(refused.value)
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "lead")]
    assert by_lead() == before
    assert not ClosedYearCorrection.objects.exists()


def test_a_partners_change_or_a_unit_assigned_after_the_closed_year_needs_no_reason(led_unit, administrator):
    services.participations_replace(led_unit, [
        {"agency": Agency.objects.get(acronym="RCMP"), "role": "lead"},
    ], actor=administrator)
    assert roles_of(led_unit) == [("RCMP", "lead")]
    later = make_jfo("GTA")
    make_assignment(jfo=later, start=D(2012, 4, 1))
    services.participations_replace(later, swapped(), actor=administrator)
    assert roles_of(later) == [("OPP", "lead"), ("RCMP", "partner")]
    assert not ClosedYearCorrection.objects.exists()


# --- the API ----------------------------------------------------------------------------------


def test_a_patch_swapping_the_leads_needs_an_administrators_reason_which_is_recorded(api, administrator, led_unit):
    login(api, administrator)
    before = by_lead()
    body = {"participations": [{"agency": p["agency"].pk, "role": p["role"]} for p in swapped()]}
    silent = api.patch(f"/api/v1/jfos/{led_unit.pk}/", body, format="json", HTTP_IF_MATCH="*")
    assert silent.status_code == 400
    assert "2010-2011" in str(silent.json()) and "reason" in str(silent.json())
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "lead")]
    assert by_lead() == before
    response = api.patch(f"/api/v1/jfos/{led_unit.pk}/", {**body, "reason": "OPP took the lead in 2010"}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.json()
    assert "reason" not in response.json()
    assert roles_of(led_unit) == [("OPP", "lead"), ("RCMP", "partner")]
    assert [key for key, _fte in by_lead()] == ["OPP"]
    assert list(ClosedYearCorrection.objects.values_list("fiscal_year", "reason", "corrected_by")) == [
        (2010, "OPP took the lead in 2010", administrator.pk),
    ]


def test_a_patch_leaving_the_leads_as_they_are_needs_no_reason(api, administrator, led_unit):
    login(api, administrator)
    response = api.patch(f"/api/v1/jfos/{led_unit.pk}/", {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    unchanged = [{"agency": p.agency_id, "role": p.role} for p in led_unit.participations.all()]
    assert api.patch(f"/api/v1/jfos/{led_unit.pk}/", {"participations": unchanged}, format="json", HTTP_IF_MATCH="*").status_code == 200


# --- the admin --------------------------------------------------------------------------------


def unit_form(client, unit, **extra) -> dict:
    page = client.get(reverse("admin:operations_jointforceoperation_change", args=[unit.pk]))
    data = {
        "name": unit.name, "acronym": unit.acronym, "jfo_type": unit.jfo_type, "program": unit.program_id,
        "region": unit.region_id, "status": unit.status,
    }
    for formset in page.context["inline_admin_formsets"]:
        inner = formset.formset
        data.update({f"{inner.prefix}-TOTAL_FORMS": "0", f"{inner.prefix}-INITIAL_FORMS": "0"})
        if inner.model is Participation:
            rows = list(unit.participations.order_by("pk"))
            data.update({f"{inner.prefix}-TOTAL_FORMS": str(len(rows)), f"{inner.prefix}-INITIAL_FORMS": str(len(rows))})
            for index, row in enumerate(rows):
                data.update({
                    f"{inner.prefix}-{index}-id": row.pk, f"{inner.prefix}-{index}-jfo": unit.pk,
                    f"{inner.prefix}-{index}-agency": row.agency_id,
                    f"{inner.prefix}-{index}-role": "partner" if row.role == "lead" else "lead",
                })
    data.update(extra)
    return data


def test_the_unit_admins_inline_swap_of_leads_needs_the_reason(client, administrator, led_unit):
    client.force_login(administrator)
    url = reverse("admin:operations_jointforceoperation_change", args=[led_unit.pk])
    before = by_lead()
    refused = client.post(url, unit_form(client, led_unit))
    assert refused.status_code == 200
    assert "2010-2011" in refused.content.decode()
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "lead")]
    assert by_lead() == before
    saved = client.post(url, unit_form(client, led_unit, correction_reason="OPP leads since 2010"))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert roles_of(led_unit) == [("OPP", "lead"), ("RCMP", "partner")]
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["OPP leads since 2010"]


def test_the_participation_admin_refuses_a_leads_change_or_deletion_without_a_reason(client, administrator, led_unit):
    client.force_login(administrator)
    lead = led_unit.participations.get(role="lead")
    url = reverse("admin:operations_participation_change", args=[lead.pk])
    form = {"jfo": led_unit.pk, "agency": lead.agency_id, "role": "partner"}
    before = by_lead()
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "2010-2011" in refused.content.decode()
    deletion = client.post(reverse("admin:operations_participation_delete", args=[lead.pk]), {"post": "yes"}, follow=True)
    assert deletion.status_code == 200
    assert "2010-2011" in deletion.content.decode()
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "lead")]
    assert by_lead() == before
    saved = client.post(url, {**form, "correction_reason": "RCMP only a partner"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "partner")]
    assert [key for key, _fte in by_lead()] == [None]
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["RCMP only a partner"]


# --- the import -------------------------------------------------------------------------------


def jfo_file(unit) -> tablib.Dataset:
    data = tablib.Dataset(headers=["acronym", "name", "jfo_type", "program", "region", "status", "leads", "partners"])
    data.append([unit.acronym, unit.name, unit.jfo_type, "TSTL", "GTA", unit.status, "OPP", "RCMP"])
    return data


def test_an_imported_swap_of_leads_is_a_row_error_without_an_administrators_reason(led_unit, administrator):
    before = by_lead()
    refused = importers.import_dataset("jfos", jfo_file(led_unit), actor=administrator)
    assert refused.errors
    assert "2010-2011" in " ".join(error.message for error in refused.errors)
    assert roles_of(led_unit) == [("OPP", "partner"), ("RCMP", "lead")]
    assert by_lead() == before
    summary = importers.import_dataset("jfos", jfo_file(led_unit), actor=administrator, reason="HQ list of leads")
    assert not summary.errors
    assert roles_of(led_unit) == [("OPP", "lead"), ("RCMP", "partner")]
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["HQ list of leads"]

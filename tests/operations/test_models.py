"""Every single-row rule is refused by full_clean() and, independently, by the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import translation

from agreements.models import (
    Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition, ReminderSent,
)
from operations.models import (
    FTE_RANGE_MESSAGE, Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Participation, Program,
    Region, SalaryRate, Threat,
)
from tests.conftest import make_assignment, make_jfo, make_officer

D = datetime.date
pytestmark = pytest.mark.django_db


def refused_by_database(instance):
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def refused_by_full_clean(instance, field=None):
    with pytest.raises(ValidationError) as refused:
        instance.full_clean()
    if field:
        assert field in refused.value.message_dict, refused.value.message_dict


@pytest.mark.parametrize("fte", ["0", "-0.50", "1.01"])
def test_assignment_fte_out_of_range(fte):
    assignment = Assignment(
        officer=make_officer(), jfo=make_jfo(), fte=Decimal(fte), start_date=D(2010, 4, 1)
    )
    refused_by_full_clean(assignment, "fte")
    refused_by_database(assignment)


def test_assignment_fte_one_is_accepted():
    assignment = Assignment(officer=make_officer(), jfo=make_jfo(), fte=Decimal("1.00"), start_date=D(2010, 4, 1))
    assignment.full_clean()
    assignment.save()


def test_assignment_end_before_start():
    assignment = Assignment(
        officer=make_officer(), jfo=make_jfo(), fte=Decimal("1"), start_date=D(2010, 4, 1), end_date=D(2010, 3, 31)
    )
    refused_by_full_clean(assignment, "end_date")
    refused_by_database(assignment)


def test_assignment_may_start_and_end_on_the_same_day():
    Assignment(
        officer=make_officer(), jfo=make_jfo(), fte=Decimal("1"), start_date=D(2010, 4, 1), end_date=D(2010, 4, 1)
    ).full_clean()


def test_jfo_end_before_start():
    jfo = JointForceOperation(
        name="X", acronym="X-1", jfo_type="regional", region=Region.objects.get(code="GTA"),
        start_date=D(2010, 1, 1), end_date=D(2009, 1, 1),
    )
    refused_by_full_clean(jfo)
    refused_by_database(jfo)


def test_arrangement_expiry_before_effective_and_unsigned_in_force():
    early = Arrangement(reference="R-1", title="T", status="draft", effective_date=D(2010, 1, 1), expiry_date=D(2009, 1, 1))
    refused_by_full_clean(early, "expiry_date")
    refused_by_database(early)
    unsigned = Arrangement(reference="R-2", title="T", status="in_force", effective_date=D(2010, 1, 1))
    refused_by_full_clean(unsigned, "signed_date")
    refused_by_database(unsigned)


def second_live_successor() -> Arrangement:
    predecessor = Arrangement.objects.filter(status="in_force").first()
    Arrangement.objects.create(reference="SUCC-1", title="First successor", supersedes=predecessor)
    return Arrangement(reference="SUCC-2", title="Second successor", supersedes=predecessor)


def reminder_sent_again() -> ReminderSent:
    sent = ReminderSent.objects.create(
        arrangement=Arrangement.objects.first(), kind="expiry", target_date=D(2030, 1, 1), threshold_days=30
    )
    return ReminderSent(arrangement=sent.arrangement, kind=sent.kind, target_date=sent.target_date, threshold_days=30)


# A record that breaks a unique rule of the seeded registry, per rule.
DUPLICATES = {
    "region-code": lambda: Region(code="GTA", name_en="Again", name_fr="Encore"),
    "agency-acronym": lambda: Agency(acronym="RCMP", name_en="Again", jurisdiction="federal"),
    "threat-code": lambda: Threat(code=Threat.objects.first().code, name_en="x", name_fr="x", risk_level="low"),
    "program-code": lambda: Program(code="IBET", name_en="x", name_fr="x", default_jfo_type="binational"),
    "jfo-acronym": lambda: JointForceOperation(
        name="x", acronym=JointForceOperation.objects.first().acronym, jfo_type="regional",
        region=Region.objects.get(code="GTA"),
    ),
    "employee-number": lambda: Officer(
        employee_number=Officer.objects.first().employee_number, name="x", position="IO",
        classification="FB-04", home_region=Region.objects.get(code="GTA"),
    ),
    "salary-rate-per-year": lambda: SalaryRate(classification="FB-04", fiscal_year=2010, annual_salary=Decimal("1")),
    "costing-policy-per-year": lambda: CostingPolicy(fiscal_year=2010, employee_benefits_rate=Decimal("0.1")),
    "participation": lambda: Participation(
        jfo=Participation.objects.first().jfo, agency=Participation.objects.first().agency, role="partner"
    ),
    "arrangement-reference": lambda: Arrangement(reference=Arrangement.objects.first().reference, title="x"),
    "arrangement-party": lambda: ArrangementParty(
        arrangement=ArrangementParty.objects.first().arrangement, agency=ArrangementParty.objects.first().agency
    ),
    "condition-coverage": lambda: ConditionCoverage(
        arrangement=ConditionCoverage.objects.first().arrangement,
        condition=ConditionCoverage.objects.first().condition,
    ),
    "condition-letter": lambda: InformationSharingCondition(letter="a", text_en="x", text_fr="x"),
    "arrangement-unit-link": lambda: Arrangement.jfos.through(
        arrangement=Arrangement.jfos.through.objects.first().arrangement,
        jointforceoperation=Arrangement.jfos.through.objects.first().jointforceoperation,
    ),
    "one-live-successor": second_live_successor,
    "reminder-sent-once": reminder_sent_again,
}


@pytest.mark.parametrize("build", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_uniqueness(build):
    duplicate = build()
    refused_by_full_clean(duplicate)
    refused_by_database(duplicate)


def test_salary_must_be_positive_and_benefits_rate_a_share():
    salary = SalaryRate(classification="FB-03", fiscal_year=2030, annual_salary=Decimal("0"))
    refused_by_full_clean(salary)
    refused_by_database(salary)
    policy = CostingPolicy(fiscal_year=2030, employee_benefits_rate=Decimal("1.5"))
    refused_by_full_clean(policy)
    refused_by_database(policy)


def test_constraint_messages_are_clear():
    assignment = Assignment(officer=make_officer(), jfo=make_jfo(), fte=Decimal("2"), start_date=D(2010, 4, 1))
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert "FTE must be more than 0 and at most 1.00." in str(refused.value)


def test_protected_records_cannot_be_deleted():
    assignment = make_assignment()
    with pytest.raises(ProtectedError):
        assignment.officer.delete()
    with pytest.raises(ProtectedError):
        assignment.jfo.delete()
    with pytest.raises(ProtectedError):
        Region.objects.get(code="GTA").delete()
    with pytest.raises(ProtectedError):
        Agency.objects.get(acronym="RCMP").delete()


def test_closed_unit_needs_an_end_date():
    jfo = make_jfo()
    jfo.status = "closed"
    refused_by_full_clean(jfo, "end_date")


def test_names_follow_the_active_language():
    region = Region.objects.get(code="PAC")
    with translation.override("fr"):
        assert region.name == "Pacifique"
    with translation.override("en"):
        assert region.name == "Pacific"


# --- The FTE range: one rule (the field's validator), one message, in every entry point -------

FTE_REFUSED = ["0", "0.00", "1.01", "2", "-0.50"]
FTE_ACCEPTED = ["0.01", "1.00"]


def fte_message() -> str:
    return str(FTE_RANGE_MESSAGE)


def api_post(api, user, fte: str):
    api.force_authenticate(user=user)
    payload = {"officer": make_officer().pk, "jfo": make_jfo().pk, "fte": fte, "start_date": "2012-04-01"}
    return api.post("/api/v1/assignments/", payload, format="json")


@pytest.mark.parametrize("fte", FTE_REFUSED)
def test_the_api_refuses_an_fte_out_of_range_with_the_models_message(api, administrator, fte):
    response = api_post(api, administrator, fte)
    assert response.status_code == 400
    assert response.json()["fte"] == [fte_message()]


@pytest.mark.parametrize("fte", FTE_ACCEPTED)
def test_the_api_accepts_the_bounds(api, administrator, fte):
    response = api_post(api, administrator, fte)
    assert response.status_code == 201
    assert Assignment.objects.get(pk=response.json()["id"]).fte == Decimal(fte)


def page_post(client, fte: str):
    officer = make_officer("GTA")
    unit = make_jfo("GTA")
    response = client.post(
        f"/jfos/{unit.pk}/assignments/new/",
        {"officer": officer.employee_number, "fte": fte, "start_date": "2020-04-01", "end_date": "", "role": "", "notes": ""},
    )
    return response, officer


@pytest.mark.parametrize("fte", FTE_REFUSED)
def test_the_page_form_refuses_an_fte_out_of_range_with_the_models_message(client, gta_manager, fte):
    client.force_login(gta_manager)
    response, officer = page_post(client, fte)
    assert response.status_code == 400
    assert response.context["form"].errors["fte"] == [fte_message()]
    assert not officer.assignments.exists()


@pytest.mark.parametrize("fte", FTE_ACCEPTED)
def test_the_page_form_accepts_the_bounds_and_offers_them_to_the_browser(client, gta_manager, fte):
    client.force_login(gta_manager)
    unit = make_jfo("GTA")
    html = client.get(f"/jfos/{unit.pk}/assignments/new/").content.decode()
    assert 'min="0.01"' in html and 'max="1.00"' in html and 'step="0.01"' in html
    response, officer = page_post(client, fte)
    assert response.status_code == 302
    assert officer.assignments.get().fte == Decimal(fte)


def admin_post(admin_client, fte: str):
    officer = make_officer()
    response = admin_client.post(
        "/admin/operations/assignment/add/",
        {"officer": officer.pk, "jfo": make_jfo().pk, "fte": fte, "start_date": "2020-06-01", "end_date": "",
         "role": "", "notes": ""},
    )
    return response, officer


@pytest.mark.parametrize("fte", FTE_REFUSED)
def test_the_admin_refuses_an_fte_out_of_range_with_the_models_message(admin_client, fte):
    response, officer = admin_post(admin_client, fte)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["fte"] == [fte_message()]
    assert not officer.assignments.exists()


@pytest.mark.parametrize("fte", FTE_ACCEPTED)
def test_the_admin_accepts_the_bounds(admin_client, fte):
    response, officer = admin_post(admin_client, fte)
    assert response.status_code == 302
    assert officer.assignments.get().fte == Decimal(fte)

import datetime
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from django.utils import timezone

from jfo_registry.core.roles import Role
from operations.models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Participation, Program, Region, SalaryRate,
    Threat,
)
from tests.api import ROLES, ResourceAPITests, login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
serial = count(1)


def gta():
    return Region.objects.get(code="GTA")


class TestRegionAPI(ResourceAPITests):
    path = "/api/v1/regions/"
    model = Region
    invalid_field = "code"

    def create_payload(self):
        return {"code": f"Z{next(serial)}", "name_en": "Test", "name_fr": "Essai"}

    def update_payload(self, obj):
        return {"name_en": "Renamed region"}

    def invalid_payload(self):
        return {"code": "GTA", "name_en": "Duplicate", "name_fr": "Doublon"}

    def make_extra(self, n):
        for _ in range(n):
            Region.objects.create(**self.create_payload())

    def deletable(self):
        return Region.objects.create(**self.create_payload())


class TestAgencyAPI(ResourceAPITests):
    path = "/api/v1/agencies/"
    model = Agency
    invalid_field = "jurisdiction"

    def create_payload(self):
        return {"acronym": f"AG{next(serial)}", "name_en": "Test Police", "name_fr": "Police d'essai",
                "jurisdiction": "municipal", "country": "CA", "parent": None}

    def update_payload(self, obj):
        return {"name_en": "Renamed agency"}

    def invalid_payload(self):
        return {"acronym": "NEW1", "name_en": "x", "jurisdiction": "galactic"}

    def make_extra(self, n):
        parent = Agency.objects.get(acronym="US-DHS")
        for _ in range(n):
            payload = self.create_payload()
            payload["parent"] = parent
            Agency.objects.create(**payload)

    def deletable(self):
        return Agency.objects.create(**{**self.create_payload(), "parent": None})


class TestThreatAPI(ResourceAPITests):
    path = "/api/v1/threats/"
    model = Threat
    invalid_field = "risk_level"

    def create_payload(self):
        return {"code": f"threat-{next(serial)}", "name_en": "Test", "name_fr": "Essai", "risk_level": "low"}

    def update_payload(self, obj):
        return {"risk_level": "medium"}

    def invalid_payload(self):
        return {"code": "x", "name_en": "x", "name_fr": "x", "risk_level": "extreme"}

    def make_extra(self, n):
        for _ in range(n):
            Threat.objects.create(**self.create_payload())

    def deletable(self):
        return Threat.objects.create(**self.create_payload())


class TestProgramAPI(ResourceAPITests):
    path = "/api/v1/programs/"
    model = Program
    invalid_field = "default_jfo_type"

    def create_payload(self):
        return {"code": f"P{next(serial)}", "name_en": "Test", "name_fr": "Essai", "default_jfo_type": "national"}

    def update_payload(self, obj):
        return {"name_en": "Renamed program"}

    def invalid_payload(self):
        return {"code": "PX", "name_en": "x", "name_fr": "x", "default_jfo_type": "planetary"}

    def make_extra(self, n):
        for _ in range(n):
            Program.objects.create(**self.create_payload())

    def deletable(self):
        return Program.objects.create(**self.create_payload())


class TestJointForceOperationAPI(ResourceAPITests):
    path = "/api/v1/jfos/"
    model = JointForceOperation
    invalid_field = "end_date"

    def create_payload(self):
        return {
            "acronym": f"NEW-{next(serial)}", "name": "New unit", "jfo_type": "regional", "region": gta().pk,
            "start_date": "2012-04-01",  # a unit counted in the closed 2010-2011 would need a reason
            "program": None, "threats": [Threat.objects.get(code="cocaine").pk],
            "participations": [
                {"agency": Agency.objects.get(acronym="TPS").pk, "role": "lead"},
                {"agency": Agency.objects.get(acronym="CBSA").pk, "role": "partner"},
            ],
            "status": "active", "objectives": "Test objectives",
        }

    def update_payload(self, obj):
        return {"name": "Renamed unit", "co_located": True}

    def invalid_payload(self):
        return {"acronym": "BAD-1", "name": "x", "jfo_type": "regional", "region": gta().pk,
                "start_date": "2010-01-01", "end_date": "2009-01-01"}

    def make_extra(self, n):
        threats = list(Threat.objects.all()[:3])
        agencies = list(Agency.objects.all()[:2])
        for _ in range(n):
            unit = make_jfo()
            unit.threats.set(threats)
            for agency, role in zip(agencies, ("lead", "partner")):
                Participation.objects.create(jfo=unit, agency=agency, role=role)

    def deletable(self):
        return make_jfo()


@pytest.mark.parametrize("action", ["add", "delete"])
def test_participations_need_the_participation_permission(api, administrator, action):
    """A writer of units without the permission on participations may not replace them (403,
    nothing changed), as the admin's read-only inline would not; sent back unchanged they pass."""
    unit = JointForceOperation.objects.annotate(n=Count("participations")).filter(n__gte=2).order_by("pk").first()
    Group.objects.get(name=Role.ADMINISTRATOR.group_name).permissions.remove(
        Permission.objects.get(content_type__app_label="operations", codename=f"{action}_participation")
    )
    login(api, administrator)
    path = f"/api/v1/jfos/{unit.pk}/"
    stored = [{"agency": item["agency"], "role": item["role"]} for item in api.get(path).json()["participations"]]
    before = sorted(unit.participations.values_list("agency_id", "role"))
    other = Agency.objects.exclude(pk__in=[item["agency"] for item in stored]).order_by("pk").first()
    refused = stored[1:] if action == "delete" else [*stored, {"agency": other.pk, "role": "partner"}]
    response = api.patch(path, {"participations": refused, "name": "Renamed"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 403, response.content
    assert sorted(unit.participations.values_list("agency_id", "role")) == before
    unit.refresh_from_db()
    assert unit.name != "Renamed"
    response = api.patch(path, {"participations": stored}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert sorted(unit.participations.values_list("agency_id", "role")) == before


class TestOfficerAPI(ResourceAPITests):
    path = "/api/v1/officers/"
    model = Officer
    writers = ("administrator", "gta_manager")
    invalid_field = "position"

    def existing(self):
        return Officer.objects.filter(home_region__code="GTA").order_by("pk").first()

    def create_payload(self):
        return {"employee_number": f"N-{next(serial)}", "name": "New Officer", "position": "IO",
                "classification": "FB-04", "home_region": gta().pk, "active": True}

    def update_payload(self, obj):
        return {"name": "Renamed Officer"}

    def invalid_payload(self):
        return {"employee_number": "N-X", "name": "x", "position": "XX", "classification": "FB-04",
                "home_region": gta().pk}

    def make_extra(self, n):
        for _ in range(n):
            make_officer()

    def deletable(self):
        return make_officer()


class TestAssignmentAPI(ResourceAPITests):
    path = "/api/v1/assignments/"
    model = Assignment
    writers = ("administrator", "gta_manager")
    invalid_field = "fte"

    def existing(self):
        return Assignment.objects.filter(jfo__region__code="GTA").order_by("pk").first()

    def create_payload(self):
        return {"officer": make_officer().pk, "jfo": make_jfo().pk, "fte": 0.5, "start_date": "2012-04-01",
                "end_date": None, "role": "Intelligence officer", "notes": ""}

    def update_payload(self, obj):
        # not fte or role: those change from a date (POST …/change/, tests/operations/test_effective_dating.py)
        return {"notes": "Changed through the API"}

    def invalid_payload(self):
        return {"officer": make_officer().pk, "jfo": make_jfo().pk, "fte": 1.5, "start_date": "2012-04-01"}

    def make_extra(self, n):
        for _ in range(n):
            make_assignment()

    def deletable(self):
        return make_assignment()

    deleters = ()  # ended, never deleted: DELETE is not an operation of the resource
    delete_refusals = dict.fromkeys(ROLES, 405)  # whoever asks


class TestSalaryRateAPI(ResourceAPITests):
    path = "/api/v1/salary-rates/"
    model = SalaryRate
    invalid_field = "fiscal_year"

    def existing(self):
        # of an open year: 2010-2011's rates are closed, even to administrators (reopen it first)
        return SalaryRate.objects.get_or_create(classification="FB-04", fiscal_year=2020, defaults={"annual_salary": 50000})[0]

    def create_payload(self):
        return {"classification": "FB-03", "fiscal_year": f"{2030 + next(serial) % 60}", "annual_salary": 60000}

    def update_payload(self, obj):
        return {"annual_salary": 70123.45}

    def invalid_payload(self):
        return {"classification": "FB-04", "fiscal_year": "2010-2012", "annual_salary": 1}

    def make_extra(self, n):
        for _ in range(n):
            SalaryRate.objects.create(classification="FB-05", fiscal_year=1900 + next(serial) % 80, annual_salary=1)  # never a seeded year

    def deletable(self):
        return SalaryRate.objects.create(classification="OTHER", fiscal_year=1985, annual_salary=1)


class TestCostingPolicyAPI(ResourceAPITests):
    path = "/api/v1/costing-policies/"
    model = CostingPolicy
    invalid_field = "employee_benefits_rate"

    def existing(self):
        # of an open year: 2010-2011's policy is closed, even to administrators (reopen it first)
        return CostingPolicy.objects.get_or_create(fiscal_year=2020, defaults={"employee_benefits_rate": Decimal("0.2")})[0]

    def create_payload(self):
        year = 2030 + next(serial) % 60
        return {"fiscal_year": f"{year}-{year + 1}", "employee_benefits_rate": 0.21}

    def update_payload(self, obj):
        return {"employee_benefits_rate": 0.25}

    def invalid_payload(self):
        return {"fiscal_year": "2099", "employee_benefits_rate": 2}

    def make_extra(self, n):
        for _ in range(n):
            CostingPolicy.objects.create(fiscal_year=1900 + next(serial) % 80, employee_benefits_rate=Decimal("0.2"))  # never a seeded year

    def deletable(self):
        return CostingPolicy.objects.create(fiscal_year=1985, employee_benefits_rate=Decimal("0.2"))


# --- Region scoping, the FTE rule and ending through the API -------------------------------

D = datetime.date


def test_gta_manager_edits_gta_assignments_and_is_refused_pac_ones(api, gta_manager):
    login(api, gta_manager)
    # begun in an open year; the FTE changes from today (the change operation), notes by PATCH
    gta_assignment = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), fte="0.50", start=D(2020, 4, 1))
    pac_assignment = make_assignment(officer=make_officer("PAC"), jfo=make_jfo("PAC"), fte="0.50", start=D(2020, 4, 1))
    change = {"fte": 0.6, "effective_from": timezone.localdate().isoformat()}
    response = api.post(f"/api/v1/assignments/{gta_assignment.pk}/change/", change, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 201 and response.json()["assignment"]["fte"] == 0.6
    response = api.patch(f"/api/v1/assignments/{gta_assignment.pk}/", {"notes": "GTA"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200 and response.json()["notes"] == "GTA"
    before = Assignment.objects.count()
    response = api.post(f"/api/v1/assignments/{pac_assignment.pk}/change/", change, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 403
    response = api.patch(f"/api/v1/assignments/{pac_assignment.pk}/", {"notes": "GTA"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 403
    pac_assignment.refresh_from_db()
    assert (pac_assignment.fte, pac_assignment.notes, pac_assignment.end_date) == (Decimal("0.50"), "", None)
    assert Assignment.objects.count() == before
    before = Assignment.objects.count()
    response = api.post(
        "/api/v1/assignments/",
        {"officer": make_officer("PAC").pk, "jfo": make_jfo("PAC").pk, "fte": 0.5, "start_date": "2012-04-01"},
        format="json",
    )
    assert response.status_code == 403 and Assignment.objects.count() == before
    response = api.post(
        "/api/v1/assignments/",
        {"officer": make_officer("GTA").pk, "jfo": make_jfo("GTA").pk, "fte": 0.5, "start_date": "2012-04-01"},
        format="json",
    )
    assert response.status_code == 201


def test_a_manager_cannot_move_an_assignment_out_of_their_region(api, gta_manager):
    login(api, gta_manager)
    assignment = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"))
    response = api.patch(f"/api/v1/assignments/{assignment.pk}/", {"jfo": make_jfo("PAC").pk}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.jfo.region.code == "GTA"


def test_a_manager_cannot_create_an_officer_in_another_region(api, gta_manager):
    login(api, gta_manager)
    response = api.post(
        "/api/v1/officers/",
        {"employee_number": "N-PAC", "name": "x", "position": "IO", "classification": "FB-04",
         "home_region": Region.objects.get(code="PAC").pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Officer.objects.filter(employee_number="N-PAC").exists()


def test_over_allocation_is_a_400_naming_the_days(api, gta_manager):
    login(api, gta_manager)
    existing = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), fte="0.80")
    response = api.post(
        "/api/v1/assignments/",
        {"officer": existing.officer.pk, "jfo": make_jfo("GTA").pk, "fte": 0.3, "start_date": "2011-01-01"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["fte"][0]
    assert "1.10 FTE from 2011-01-01 on" in message and existing.jfo.acronym in message
    assert existing.officer.assignments.count() == 1


def test_ending_an_assignment_is_a_patch_of_end_date(api, gta_manager):
    login(api, gta_manager)
    # begun in an open year (ending one inside closed 2010-2011 is refused: test_effective_dating)
    assignment = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), start=D(2020, 4, 1))
    response = api.patch(f"/api/v1/assignments/{assignment.pk}/", {"end_date": "2021-03-31"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200 and response.json()["end_date"] == "2021-03-31"
    response = api.patch(f"/api/v1/assignments/{assignment.pk}/", {"end_date": "2009-01-01"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400 and "end_date" in response.json()


@pytest.mark.parametrize(
    "payload",
    [
        {"fte": "abc"}, {"fte": 0}, {"fte": -1}, {"fte": 1.001}, {"start_date": "not a date"},
        {"officer": 10**9}, {"jfo": "x"}, {"fte": None}, {"start_date": None},
    ],
)
def test_bad_assignment_input_is_a_400_and_changes_nothing(api, administrator, payload):
    login(api, administrator)
    base = {"officer": make_officer().pk, "jfo": make_jfo().pk, "fte": 0.5, "start_date": "2012-04-01"}
    before = Assignment.objects.count()
    response = api.post("/api/v1/assignments/", {**base, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert set(payload) <= set(response.json())
    assert Assignment.objects.count() == before


def _record_in_use(kind: str):
    """A seed record other records still use: (its API path, the record)."""
    if kind == "officer":
        officer = Officer.objects.filter(assignments__isnull=False).order_by("pk").first()
        return f"/api/v1/officers/{officer.pk}/", officer
    if kind == "region":
        return f"/api/v1/regions/{gta().pk}/", gta()
    agency = Agency.objects.filter(participations__isnull=False).order_by("pk").first()
    return f"/api/v1/agencies/{agency.pk}/", agency


@pytest.mark.parametrize("kind", ["officer", "region", "agency"])
def test_deleting_a_record_in_use_is_a_409_naming_what_holds_it(api, administrator, kind):
    """The same answer as for a kept record: 409, `{"detail": why}`, nothing deleted."""
    path, record = _record_in_use(kind)
    counts = (Officer.objects.count(), Assignment.objects.count(), Region.objects.count(), Agency.objects.count())
    login(api, administrator)
    response = api.delete(path)
    assert response.status_code == 409
    body = response.json()
    assert list(body) == ["detail"]
    assert "still used by other records and cannot be deleted: " in body["detail"]
    assert type(record).objects.filter(pk=record.pk).exists()
    assert (Officer.objects.count(), Assignment.objects.count(), Region.objects.count(), Agency.objects.count()) == counts


def test_a_delete_that_a_concurrent_reference_makes_fail_in_the_database_is_a_409(api, administrator, monkeypatch):
    """A row referencing the record committed between the check and the delete: the database
    refuses (a foreign key), and the answer is the in-use 409, not a 400 or 500."""
    threat = Threat.objects.create(code="RACE-1", name_en="Race", name_fr="Course", risk_level="low")

    def refused(self, *args, **kwargs):
        raise IntegrityError('update or delete on table "operations_threat" violates foreign key constraint')

    monkeypatch.setattr(Threat, "delete", refused)
    login(api, administrator)
    response = api.delete(f"/api/v1/threats/{threat.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "This record is still used by other records and cannot be deleted."}
    assert Threat.objects.filter(pk=threat.pk).exists()


def test_json_numbers_are_numbers(api, analyst):
    login(api, analyst)
    body = api.get("/api/v1/assignments/", {"page_size": 1}).json()["results"][0]
    assert isinstance(body["fte"], float)
    rate = api.get("/api/v1/salary-rates/", {"fiscal_year": "2010-2011", "classification": "FB-04"}).json()["results"][0]
    assert rate["annual_salary"] == 69712 and rate["fiscal_year"] == "2010-2011"


# --- Lists: filters, search, ordering, pagination -------------------------------------------

@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "GTA"}, 11),
        ({"region": "gta,pac"}, 18),
        ({"program": "IBET"}, 15),
        ({"jfo_type": "regional"}, 24),
        ({"jfo_type": ["binational", "national"]}, 28),
        ({"status": "active"}, 52),
        ({"lead_agency": "RCMP"}, None),
        ({"threat": "firearms"}, None),
        ({"fiscal_year": "2010-2011"}, 52),
        ({"q": "Toronto"}, None),
    ],
)
def test_jfo_filters(api, analyst, params, expected):
    login(api, analyst)
    response = api.get("/api/v1/jfos/", {**params, "page_size": 1000})
    assert response.status_code == 200, response.content
    body = response.json()
    if expected is not None:
        assert body["count"] == expected
    else:
        assert 0 < body["count"] < 52


def test_filters_by_id_and_by_code_agree(api, analyst):
    login(api, analyst)
    by_code = api.get("/api/v1/jfos/", {"region": "GTA"}).json()["count"]
    by_id = api.get("/api/v1/jfos/", {"region": gta().pk}).json()["count"]
    assert by_code == by_id == 11
    rcmp = Agency.objects.get(acronym="RCMP")
    assert api.get("/api/v1/jfos/", {"lead_agency": rcmp.pk}).json()["count"] == api.get(
        "/api/v1/jfos/", {"lead_agency": "rcmp"}
    ).json()["count"]


def test_assignment_filters(api, analyst):
    login(api, analyst)
    in_year = api.get("/api/v1/assignments/", {"fiscal_year": "2010", "page_size": 1000}).json()
    assert sum(row["fte"] for row in in_year["results"]) == pytest.approx(61.5)
    gta_rows = api.get("/api/v1/assignments/", {"region": "GTA", "fiscal_year": "2010-2011", "page_size": 1000}).json()
    assert sum(row["fte"] for row in gta_rows["results"]) == pytest.approx(17.5)
    assert api.get("/api/v1/assignments/", {"position": "IEO", "page_size": 1000}).json()["count"] >= 4
    ordered = api.get("/api/v1/assignments/", {"ordering": "-start_date", "page_size": 5}).json()["results"]
    assert [r["start_date"] for r in ordered] == sorted((r["start_date"] for r in ordered), reverse=True)


def test_bad_filter_values_are_400_not_500(api, analyst):
    login(api, analyst)
    assert api.get("/api/v1/assignments/", {"fiscal_year": "someday"}).status_code == 400
    assert api.get("/api/v1/jfos/", {"jfo_type": "galactic"}).status_code == 400
    assert api.get("/api/v1/assignments/", {"start_date_after": "not-a-date"}).status_code == 400
    assert api.get("/api/v1/jfos/", {"page": 999}).status_code == 404


def test_page_size_is_capped_at_1000(api, analyst):
    login(api, analyst)
    for _ in range(3):
        make_officer()
    body = api.get("/api/v1/officers/", {"page_size": 5000}).json()
    assert len(body["results"]) == min(1000, body["count"])
    assert len(api.get("/api/v1/officers/", {"page_size": 2}).json()["results"]) == 2


def test_token_authentication(api, analyst):
    call_command("drf_create_token", analyst.username)
    key = Token.objects.get(user=analyst).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/regions/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/regions/").status_code == 401


@pytest.mark.parametrize("resource", ["assignments", "officers", "agencies", "salary-rates"])
def test_list_rows_read_exactly_as_retrieve(api, analyst, resource):
    """Flat lists come from `.values()`: each row must equal the record's own retrieve."""
    login(api, analyst)
    rows = api.get(f"/api/v1/{resource}/", {"page_size": 5}).json()["results"]
    assert rows
    for row in rows:
        assert api.get(f"/api/v1/{resource}/{row['id']}/").json() == row


def test_list_counts_follow_every_change_even_outside_the_orm(api, analyst):
    def count_gta_assignments() -> tuple[int, int]:
        """The list's total and how many COUNT queries the request ran to give it."""
        with CaptureQueriesContext(connection) as context:
            total = api.get("/api/v1/assignments/", {"region": "GTA"}).json()["count"]
        return total, sum("COUNT(" in query["sql"].upper() for query in context.captured_queries)

    cache.clear()  # an earlier test may have cached this very count
    login(api, analyst)
    before, counted = count_gta_assignments()
    assert counted == 1
    assert count_gta_assignments() == (before, 0)  # cached: no COUNT query
    make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"))
    assert count_gta_assignments() == (before + 1, 1)
    with connection.cursor() as cursor:  # raw SQL too: the triggers bump the table's stamp
        cursor.execute("DELETE FROM operations_assignment WHERE id = %s", [Assignment.objects.latest("pk").pk])
    assert count_gta_assignments() == (before, 1)
    unit = JointForceOperation.objects.filter(region__code="GTA").first()
    moved = unit.assignments.count()
    unit.region = Region.objects.get(code="PAC")  # a change in another table the query joins
    unit.save()
    assert count_gta_assignments() == (before - moved, 1)

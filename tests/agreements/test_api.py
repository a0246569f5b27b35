import datetime
from itertools import count

import pytest

from agreements.models import Arrangement, ArrangementParty, ConditionCoverage, GapAction, InformationSharingCondition
from operations.models import Agency, JointForceOperation
from tests.api import ResourceAPITests, login
from tests.conftest import count_queries, make_jfo

pytestmark = pytest.mark.django_db
serial = count(1)


class TestArrangementAPI(ResourceAPITests):
    path = "/api/v1/arrangements/"
    model = Arrangement
    invalid_field = "signed_date"
    writers = ("administrator", "gta_manager")  # a manager keeps the arrangements of their units current
    creators = ("administrator",)

    def existing(self):
        return Arrangement.objects.get(jfos__acronym="TADEU")

    def create_payload(self):
        condition = InformationSharingCondition.objects.get(letter="b")
        return {
            "reference": f"WCA-TEST-{next(serial)}", "title": "Test arrangement", "kind": "wca", "status": "draft",
            "jfos": [JointForceOperation.objects.get(acronym="OTT-JFIU").pk],
            "parties": [
                {"agency": Agency.objects.get(acronym="CBSA").pk, "role": "signatory"},
                {"agency": Agency.objects.get(acronym="OPS").pk, "role": "signatory"},
            ],
            "condition_coverages": [{"condition": condition.pk, "status": "addressed", "clause_reference": "s. 3.1"}],
        }

    def update_payload(self, obj):
        return {"title": "Renamed arrangement", "review_date": "2013-01-01"}

    def invalid_payload(self):
        return {"reference": "WCA-BAD", "title": "x", "status": "in_force", "effective_date": "2010-01-01"}

    def make_extra(self, n):
        agency = Agency.objects.get(acronym="CBSA")
        units = list(JointForceOperation.objects.all()[:3])
        conditions = list(InformationSharingCondition.objects.all())
        for _ in range(n):
            arrangement = Arrangement.objects.create(reference=f"X-{next(serial)}", title="x")
            arrangement.jfos.set(units)
            ArrangementParty.objects.create(arrangement=arrangement, agency=agency)
            for condition in conditions:
                ConditionCoverage.objects.create(arrangement=arrangement, condition=condition)

    def deletable(self):
        return Arrangement.objects.create(reference=f"D-{next(serial)}", title="x")


class TestInformationSharingConditionAPI(ResourceAPITests):
    path = "/api/v1/information-sharing-conditions/"
    model = InformationSharingCondition
    invalid_field = "letter"

    def create_payload(self):
        return {"letter": "hijklmnopqrstuvwxyz"[next(serial) % 19], "text_en": "New condition", "text_fr": "Nouvelle condition"}

    def update_payload(self, obj):
        return {"text_en": "Reworded condition"}

    def invalid_payload(self):
        return {"letter": "a", "text_en": "Duplicate letter", "text_fr": "Lettre en double"}

    def make_extra(self, n):
        for letter in "HIJKLMNOP"[:n]:
            InformationSharingCondition.objects.create(letter=letter, text_en="x", text_fr="x")

    def deletable(self):
        return InformationSharingCondition.objects.create(letter="Z", text_en="x", text_fr="x")


def test_nested_parties_and_coverage_are_replaced_by_the_list_given(api, administrator):
    login(api, administrator)
    arrangement = Arrangement.objects.get(jfos__acronym="CRTF")
    condition_a = InformationSharingCondition.objects.get(letter="a")
    response = api.patch(
        f"/api/v1/arrangements/{arrangement.pk}/",
        {
            "parties": [{"agency": Agency.objects.get(acronym="CBSA").pk, "role": "signatory"}],
            "condition_coverages": [{"condition": condition_a.pk, "status": "partly_addressed", "clause_reference": "4"}],
        },
        format="json",
        HTTP_IF_MATCH=api.get(f"/api/v1/arrangements/{arrangement.pk}/")["ETag"],
    )
    assert response.status_code == 200, response.content
    assert list(arrangement.parties.values_list("agency__acronym", flat=True)) == ["CBSA"]
    assert list(arrangement.condition_coverages.values_list("condition__letter", "status")) == [("a", "partly_addressed")]


def test_arrangement_filters(api, analyst):
    login(api, analyst)
    in_force = api.get("/api/v1/arrangements/", {"status": "in_force"}).json()
    assert in_force["count"] == 16
    assert api.get("/api/v1/arrangements/", {"jfo": "IBET-ATL"}).json()["count"] == 1
    assert api.get("/api/v1/arrangements/", {"region": "GTA"}).json()["count"] >= 7
    assert api.get("/api/v1/arrangements/", {"fiscal_year": "2010-2011"}).json()["count"] == 16
    assert api.get("/api/v1/arrangements/", {"status": "nonsense"}).status_code == 400


def test_duplicate_parties_are_refused(api, administrator):
    login(api, administrator)
    cbsa = Agency.objects.get(acronym="CBSA").pk
    response = api.post(
        "/api/v1/arrangements/",
        {"reference": "DUP-1", "title": "x", "parties": [{"agency": cbsa, "role": "signatory"}, {"agency": cbsa, "role": "partner"}]},
        format="json",
    )
    assert response.status_code == 400 and "parties" in response.json()
    assert not Arrangement.objects.filter(reference="DUP-1").exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/reports/coverage/?fiscal_year=2010", "/api/v1/reports/conditions/",
            "/api/v1/reports/expiring/?days=4000&on=2011-01-01", "/api/v1/reports/gaps/?on=2011-03-31"],
)
def test_agreement_report_query_counts_do_not_grow_with_data(api, analyst, url):
    login(api, analyst)
    api.get(url)

    def more(n):
        conditions = list(InformationSharingCondition.objects.all())
        agency = Agency.objects.get(acronym="CBSA")
        for index in range(n):
            unit = make_jfo("GTA")
            arrangement = Arrangement.objects.create(
                reference=f"QC-{url[-12:]}-{next(serial)}", title="x", status="in_force",
                signed_date=datetime.date(2010, 1, 1), effective_date=datetime.date(2010, 1, 1),
                expiry_date=datetime.date(2012, 1, 1), review_date=datetime.date(2011, 6, 1),
            )
            arrangement.jfos.add(unit)
            ArrangementParty.objects.create(arrangement=arrangement, agency=agency)
            for condition in conditions:
                ConditionCoverage.objects.create(arrangement=arrangement, condition=condition, status="not_addressed")
            GapAction.objects.create(jfo=make_jfo("GTA"), action="x", owner="y", due_date=datetime.date(2011, 1, 1))

    more(1)
    first = count_queries(lambda: api.get(url))
    more(6)
    assert count_queries(lambda: api.get(url)) == first


@pytest.mark.parametrize(("days", "status"), [(99_999_999_999, 400), (3651, 400), (3650, 200)])
def test_a_notice_period_is_bounded_alike_on_every_database(api, administrator, days, status):
    """SQLite would store any integer that PostgreSQL then refuses: the model bounds it."""
    login(api, administrator)
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    before = arrangement.notice_period_days
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"notice_period_days": days}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == status, response.content
    arrangement.refresh_from_db()
    assert arrangement.notice_period_days == (days if status == 200 else before)


def _tadeu_rows(arrangement):
    parties = sorted(arrangement.parties.values_list("agency_id", "role"))
    coverages = sorted(arrangement.condition_coverages.values_list("condition_id", "status", "clause_reference"))
    return parties, coverages


def _patch_rows(api, arrangement, payload):
    return api.patch(f"/api/v1/arrangements/{arrangement.pk}/", payload, format="json", HTTP_IF_MATCH="*")


@pytest.fixture
def tadeu():
    arrangement = Arrangement.objects.get(reference="WCA-2006-TADEU")
    assert (arrangement.parties.count(), arrangement.condition_coverages.count()) == (5, 7)
    return arrangement


def _sent_back(api, arrangement, field):
    """The list as the API shows it, ready to be sent back (read-only fields left out)."""
    items = api.get(f"/api/v1/arrangements/{arrangement.pk}/").json()[field]
    read_only = {"agency_acronym", "letter"}
    return [{key: value for key, value in item.items() if key not in read_only} for item in items]


def _other_agency(arrangement):
    return Agency.objects.exclude(pk__in=arrangement.parties.values("agency")).order_by("pk").first()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda api, a: {"parties": [], "condition_coverages": []}, id="remove-everything"),
        pytest.param(lambda api, a: {"parties": []}, id="remove-parties"),
        pytest.param(
            lambda api, a: {"parties": [*_sent_back(api, a, "parties"), {"agency": _other_agency(a).pk,
                                                                          "role": "signatory"}]},
            id="add-a-party",
        ),
        pytest.param(
            lambda api, a: {"parties": [{**item, "role": "observer" if item["role"] != "observer" else "signatory"}
                                        for item in _sent_back(api, a, "parties")]},
            id="change-a-party-role",
        ),
        pytest.param(lambda api, a: {"condition_coverages": _sent_back(api, a, "condition_coverages")[1:]},
                     id="remove-a-coverage-row"),
    ],
)
def test_a_manager_may_not_add_change_or_remove_parties_nor_remove_coverage(api, gta_manager, tadeu, payload):
    """Managers hold no permission on parties and no delete on coverage: the admin shows those
    inlines read-only, and the API refuses the same writes (403, nothing changed)."""
    login(api, gta_manager)
    body = payload(api, tadeu)
    before = _tadeu_rows(tadeu)
    title = tadeu.title
    response = _patch_rows(api, tadeu, {**body, "title": "Changed with the rows"})
    assert response.status_code == 403, response.content
    assert "administrator" in response.json()["detail"]
    tadeu.refresh_from_db()
    assert _tadeu_rows(tadeu) == before
    assert tadeu.title == title


def test_a_manager_may_send_the_rows_back_unchanged_and_change_a_coverage_status(api, gta_manager, tadeu):
    login(api, gta_manager)
    parties = _sent_back(api, tadeu, "parties")
    coverages = _sent_back(api, tadeu, "condition_coverages")
    before = _tadeu_rows(tadeu)
    response = _patch_rows(api, tadeu, {"parties": parties, "condition_coverages": coverages})
    assert response.status_code == 200, response.content
    assert _tadeu_rows(tadeu) == before
    coverages[0]["status"] = "not_addressed" if coverages[0]["status"] != "not_addressed" else "addressed"
    response = _patch_rows(api, tadeu, {"condition_coverages": coverages})
    assert response.status_code == 200, response.content  # managers hold change on coverage
    assert tadeu.condition_coverages.get(condition_id=coverages[0]["condition"]).status == coverages[0]["status"]


def test_an_administrator_still_replaces_parties_and_coverage(api, administrator, tadeu):
    login(api, administrator)
    agency = _other_agency(tadeu)
    response = _patch_rows(api, tadeu, {"parties": [], "condition_coverages": []})
    assert response.status_code == 200, response.content
    assert (tadeu.parties.count(), tadeu.condition_coverages.count()) == (0, 0)
    response = _patch_rows(api, tadeu, {"parties": [{"agency": agency.pk, "role": "signatory"}]})
    assert response.status_code == 200, response.content
    assert list(tadeu.parties.values_list("agency_id", flat=True)) == [agency.pk]


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("arrangements", {"parties": [{"role": "observer"}]}, "parties"),
        ("arrangements", {"condition_coverages": [{"status": "addressed"}]}, "condition_coverages"),
        ("jfos", {"participations": [{"role": "lead"}]}, "participations"),
        ("jfos", {"participations": [{"agency": "AGENCY"}]}, "participations"),
    ],
)
def test_a_patch_of_nested_rows_without_their_key_is_a_400_not_a_500(api, administrator, tadeu, path, payload, field):
    """PATCH makes nested fields optional, but the rows are matched on their key fields."""
    login(api, administrator)
    record = tadeu if path == "arrangements" else JointForceOperation.objects.get(acronym="TADEU")
    if payload.get("participations", [{}])[0].get("agency") == "AGENCY":
        payload = {"participations": [{"agency": Agency.objects.get(acronym="CBSA").pk}]}
    before = _tadeu_rows(tadeu)
    response = api.patch(f"/api/v1/{path}/{record.pk}/", payload, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _tadeu_rows(tadeu) == before

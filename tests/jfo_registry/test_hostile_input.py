"""Hostile input, on the API and on the pages: oversized and malformed bodies, deep pagination,
unknown fields, wrong types, SQL/HTML metacharacters and over-long text, hostile filters and
report parameters.

What must hold: every answer is a clear 4xx or a correct 2xx (never a 500, never an error page
that leaks internals); what is accepted is stored exactly as given (no truncation, no mangling)
and what is refused is not stored at all; whatever is stored is escaped when a page or the admin
shows it (the raw `<script>` tag never appears, `&lt;script&gt;` does).
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.models import Arrangement, ArrangementParty
from jfo_registry.core.fiscal import FiscalYear
from operations.models import Agency, Assignment, JointForceOperation, Officer, Participation
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
ATTRIBUTE_RAW = "<img src=x onerror=alert(1)>"  # what must never reach a page unescaped
ATTRIBUTE_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
HOSTILE_TEXT = {
    "sql": "'; DROP TABLE x; --",
    "sql-or": "' OR '1'='1' --",
    "script": SCRIPT,
    "attribute": ATTRIBUTE,
    "template": "{{ 7|add:7 }} {% now 'Y' %} %s %(name)s ${7*7}",
    "unicode": "Ünïcødé – 中文 – العربية – 🚔👮🏽‍♀️ – ﬁ ẞ",
    "bidi-override": "invoice \u202eRTL\u202c.pdf",  # refused: reorders what a reader sees
    "control": "line 1\r\nline 2\tend",
    "backslash": "C:\\temp\\ \\' \\\" \\\\ %_",
}
HOSTILE_QUERY = [
    "' OR 1=1 --",
    SCRIPT,
    '"><img src=x>',
    "%",
    "²",  # str.isdigit() is true, int() refuses it
    "1,2,'3",
    "-1",
    "99999999999999999999",
    "\x00",
    "x" * 3000,
]
LEAKS = ("Traceback", "Exception Value", "OperationalError", "ProgrammingError", "IntegrityError", "django.db",
         "sqlite3", "psycopg", "SELECT ", 'File "', "/site-packages/")


# --- clients ------------------------------------------------------------------------------------


@pytest.fixture
def api(administrator):
    """An administrator's token client; PUT/PATCH carry `If-Match: *`. A 500 is an answer, not a raise."""
    client = APIClient(raise_request_exception=False)
    token = Token.objects.create(user=administrator)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_IF_MATCH="*")
    return client


@pytest.fixture
def pages(administrator):
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    return client


def json_body(response):
    return json.loads(response.content) if response.content else None


def assert_no_leak(response, label=""):
    text = response.content.decode("utf-8", "replace")
    leaked = [marker for marker in LEAKS if marker in text]
    assert not leaked, f"{label}: the answer shows internals {leaked}"


def assert_escaped(html: str, label: str, *, expect=(SCRIPT_ESCAPED,)):
    assert SCRIPT not in html, f"{label}: raw <script> tag in the page"
    assert ATTRIBUTE_RAW not in html, f"{label}: raw <img onerror> in the page"
    for escaped in expect:
        assert escaped in html, f"{label}: {escaped!r} not shown"


# --- resources and their text fields ----------------------------------------------------------------

_counter = iter(range(1, 10**9))


def new_agency():
    return Agency.objects.create(acronym=f"HOST-{next(_counter)}", name_en="Hostile test agency", jurisdiction="other")


def new_arrangement():
    return Arrangement.objects.create(reference=f"HOST-{next(_counter)}", title="Hostile test arrangement")


RESOURCES = {
    "agencies": (Agency, new_agency),
    "officers": (Officer, make_officer),
    "jfos": (JointForceOperation, make_jfo),
    # from the current fiscal year: an open year, where a role changes from the period's first day
    "assignments": (Assignment, lambda: make_assignment(start=FiscalYear.current().start)),
    "arrangements": (Arrangement, new_arrangement),
}
TEXT_FIELDS = [
    ("agencies", "acronym"), ("agencies", "name_en"), ("agencies", "name_fr"),
    ("officers", "employee_number"), ("officers", "name"),
    ("jfos", "acronym"), ("jfos", "name"), ("jfos", "objectives"),
    ("assignments", "role"), ("assignments", "notes"),
    ("arrangements", "reference"), ("arrangements", "title"), ("arrangements", "notes"),
]


def write_text(api, resource, obj, field, value):
    """Write `value` to `field` of `obj` as a client does: PATCH, but an assignment's role, which
    PATCH refuses, changes from a date (POST …/change/ on its first day changes the period itself,
    200). Returns (the response, the record's fields as answered on success)."""
    if (resource, field) == ("assignments", "role"):
        response = api.post(f"/api/v1/assignments/{obj.pk}/change/",
                            {"role": value, "effective_from": obj.start_date.isoformat()}, format="json")
        return response, (response.json().get("assignment", {}) if response.status_code == 200 else {})
    response = api.patch(f"/api/v1/{resource}/{obj.pk}/", {field: value}, format="json")
    return response, (response.json() if response.status_code == 200 else {})


def stored(model, pk, field):
    return model.objects.values_list(field, flat=True).get(pk=pk)


def refused_by_the_field(model, field, value) -> bool:
    try:
        for validator in model._meta.get_field(field).validators:
            validator(value)
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize("kind", HOSTILE_TEXT)
@pytest.mark.parametrize(("resource", "field"), TEXT_FIELDS)
def test_hostile_text_is_stored_exactly_or_refused(api, resource, field, kind):
    model, factory = RESOURCES[resource]
    obj = factory()
    before = stored(model, obj.pk, field)
    value = HOSTILE_TEXT[kind]
    response, answered = write_text(api, resource, obj, field, value)
    assert_no_leak(response)
    if not refused_by_the_field(model, field, value):  # too long, or control characters in one line
        assert response.status_code == 200, response.content
        assert answered[field] == value
        assert stored(model, obj.pk, field) == value
        assert api.get(f"/api/v1/{resource}/{obj.pk}/").json()[field] == value
    else:
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert stored(model, obj.pk, field) == before


@pytest.mark.parametrize(("resource", "field"), TEXT_FIELDS)
def test_text_beyond_max_length_is_refused_not_truncated(api, resource, field):
    model, factory = RESOURCES[resource]
    obj = factory()
    max_length = model._meta.get_field(field).max_length
    if max_length is None:  # a TextField: a long text is kept whole
        value = "Ω<&>" * 25_000
        response, _answered = write_text(api, resource, obj, field, value)
        assert response.status_code == 200, response.content
        assert stored(model, obj.pk, field) == value
        return
    exact = "Ω" * max_length  # multi-byte: counted in characters, not bytes
    response, _answered = write_text(api, resource, obj, field, exact)
    assert response.status_code == 200, response.content
    assert stored(model, obj.pk, field) == exact
    response, _answered = write_text(api, resource, obj, field, exact + "Ω")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert stored(model, obj.pk, field) == exact
    response, _answered = write_text(api, resource, obj, field, "x" * 100_000)
    assert response.status_code == 400
    assert stored(model, obj.pk, field) == exact


@pytest.mark.parametrize(("resource", "field"), TEXT_FIELDS)
def test_null_characters_and_lone_surrogates_are_refused(api, resource, field):
    model, factory = RESOURCES[resource]
    obj = factory()
    before = stored(model, obj.pk, field)
    for raw in ('"a\\u0000b"', '"a\\ud800b"'):
        response = api.generic(
            "PATCH", f"/api/v1/{resource}/{obj.pk}/", f'{{"{field}": {raw}}}', content_type="application/json"
        )
        assert response.status_code == 400, (raw, response.status_code, response.content[:300])
        assert field in response.json()
        assert stored(model, obj.pk, field) == before


def test_hostile_text_in_every_text_field_of_a_new_record(api):
    """POST (not only PATCH): every text field of each resource at once."""
    agency = api.post("/api/v1/agencies/", {
        "acronym": "'; --", "name_en": SCRIPT, "name_fr": ATTRIBUTE, "jurisdiction": "other",
    }, format="json")
    assert agency.status_code == 201, agency.content
    unit = api.post("/api/v1/jfos/", {
        "acronym": SCRIPT, "name": ATTRIBUTE, "objectives": HOSTILE_TEXT["unicode"], "jfo_type": "regional",
        "region": 1, "participations": [{"agency": agency.json()["id"], "role": "lead"}],
        "start_date": "2012-04-01",  # after the closed 2010-2011, which a new unit would otherwise count in
    }, format="json")
    assert unit.status_code == 201, unit.content
    officer = api.post("/api/v1/officers/", {
        "employee_number": '"><b>', "name": SCRIPT, "position": "IO", "classification": "FB-04", "home_region": 1,
    }, format="json")
    assert officer.status_code == 201, officer.content
    assignment = api.post("/api/v1/assignments/", {
        "officer": officer.json()["id"], "jfo": unit.json()["id"], "fte": "0.50", "start_date": "2020-04-01",
        "role": ATTRIBUTE, "notes": HOSTILE_TEXT["template"],
    }, format="json")
    assert assignment.status_code == 201, assignment.content
    arrangement = api.post("/api/v1/arrangements/", {
        "reference": ATTRIBUTE, "title": SCRIPT, "notes": HOSTILE_TEXT["sql"], "jfos": [unit.json()["id"]],
    }, format="json")
    assert arrangement.status_code == 201, arrangement.content
    assert Agency.objects.get(pk=agency.json()["id"]).name_fr == ATTRIBUTE
    assert JointForceOperation.objects.get(pk=unit.json()["id"]).acronym == SCRIPT
    assert Officer.objects.get(pk=officer.json()["id"]).employee_number == '"><b>'
    assert Assignment.objects.get(pk=assignment.json()["id"]).notes == HOSTILE_TEXT["template"]
    assert Arrangement.objects.get(pk=arrangement.json()["id"]).notes == HOSTILE_TEXT["sql"]


# --- what pages and the admin show ------------------------------------------------------------------


@pytest.fixture
def hostile_records():
    """Records whose every shown text is an attack, linked so that each page shows several."""
    today = datetime.date.today()
    agency = Agency.objects.create(acronym="<i>x</i>&'\"", name_en=SCRIPT, name_fr=ATTRIBUTE, jurisdiction="other")
    start = datetime.date(2010, 4, 1)
    unit = make_jfo(acronym=SCRIPT, name=ATTRIBUTE, objectives=f"{SCRIPT}\n{ATTRIBUTE}", start_date=start)
    uncovered = make_jfo(name=SCRIPT)
    Participation.objects.create(jfo=unit, agency=agency, role="lead")
    officer = make_officer(name=SCRIPT, employee_number='"><i>1</i>')
    assignment = make_assignment(officer=officer, jfo=unit, fte="0.50", start=start, role=ATTRIBUTE, notes=SCRIPT)
    make_assignment(officer=make_officer(name=ATTRIBUTE), jfo=uncovered, fte="0.25", start=start, role=SCRIPT)
    arrangement = Arrangement.objects.create(
        reference=ATTRIBUTE, title=SCRIPT, notes=SCRIPT, status="in_force", signed_date=datetime.date(2010, 3, 1),
        effective_date=datetime.date(2010, 4, 1), expiry_date=today + datetime.timedelta(days=30),
    )
    arrangement.jfos.add(unit)
    ArrangementParty.objects.create(arrangement=arrangement, agency=agency)
    return {"agency": agency, "unit": unit, "uncovered": uncovered, "officer": officer, "assignment": assignment,
            "arrangement": arrangement}


def test_pages_escape_stored_attacks(pages, hostile_records):
    unit, officer = hostile_records["unit"], hostile_records["officer"]
    arrangement = hostile_records["arrangement"]
    both = (SCRIPT_ESCAPED, ATTRIBUTE_ESCAPED)
    checks = {
        f"/jfos/{unit.pk}/": both,
        f"/jfos/{hostile_records['uncovered'].pk}/": both,
        f"/officers/{officer.pk}/": both,
        f"/arrangements/{arrangement.pk}/": both,
        "/jfos/?q=alert": both,
        "/officers/?q=alert": (SCRIPT_ESCAPED,),
        "/arrangements/?q=alert": both,
        f"/assignments/{hostile_records['assignment'].pk}/change/": both,
        f"/assignments/{hostile_records['assignment'].pk}/end/": (SCRIPT_ESCAPED,),
        f"/jfos/{unit.pk}/assignments/new/": (SCRIPT_ESCAPED,),
        f"/officers/{officer.pk}/assignments/new/": (SCRIPT_ESCAPED,),
        f"/arrangements/{arrangement.pk}/status/": (SCRIPT_ESCAPED,),
        f"/arrangements/{arrangement.pk}/renew/": (SCRIPT_ESCAPED,),
        f"/arrangements/{arrangement.pk}/conditions/": (),
        "/": (),
        "/reports/coverage/": (SCRIPT_ESCAPED,),
        "/reports/expiring/": (SCRIPT_ESCAPED,),
        "/reports/tenure/": (),
        "/reports/allocation/": (),
        "/reports/resources/": (),
        "/reports/conditions/": (),
        "/reports/gaps/": (),
    }
    for url, expected in checks.items():
        response = pages.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_escaped(response.content.decode(), url, expect=expected)


def test_admin_escapes_stored_attacks(pages, hostile_records):
    unit, assignment = hostile_records["unit"], hostile_records["assignment"]
    both = (SCRIPT_ESCAPED, ATTRIBUTE_ESCAPED)
    checks = {
        "/admin/operations/agency/?q=alert": (SCRIPT_ESCAPED,),
        "/admin/operations/jointforceoperation/?q=alert": both,
        "/admin/operations/officer/?q=alert": (SCRIPT_ESCAPED,),
        "/admin/operations/assignment/?q=alert": both,
        "/admin/operations/participation/": (),
        "/admin/agreements/arrangement/?q=alert": both,
        f"/admin/operations/jointforceoperation/{unit.pk}/change/": both,
        f"/admin/operations/assignment/{assignment.pk}/change/": both,
        f"/admin/agreements/arrangement/{hostile_records['arrangement'].pk}/change/": both,
        f"/admin/operations/agency/{hostile_records['agency'].pk}/change/": both,
        f"/admin/operations/jointforceoperation/{unit.pk}/history/": (),
    }
    for url, expected in checks.items():
        response = pages.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_escaped(response.content.decode(), url, expect=expected)


def test_reflected_query_values_are_escaped(pages):
    for url in ("/jfos/", "/officers/", "/arrangements/", "/admin/operations/officer/", "/admin/agreements/arrangement/"):
        response = pages.get(url, {"q": SCRIPT})
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    for url, parameter in (("/", "fiscal_year"), ("/reports/resources/", "group_by"), ("/reports/tenure/", "on"),
                           ("/reports/allocation/", "fiscal_year"), ("/reports/coverage/", "fiscal_year")):
        response = pages.get(url, {parameter: SCRIPT})
        assert response.status_code == 200, url  # answered on the page, the value escaped
        assert_escaped(response.content.decode(), url, expect=())


# --- oversized and malformed bodies ------------------------------------------------------------------


def test_multi_megabyte_json_body_is_refused(api):
    before = Arrangement.objects.count()
    body = json.dumps({"reference": "BIG-1", "title": "Big", "notes": "x" * (6 * MB)})
    response = api.generic("POST", "/api/v1/arrangements/", body, content_type="application/json")
    assert response.status_code == 400, response.status_code  # above DATA_UPLOAD_MAX_MEMORY_SIZE
    assert_no_leak(response)
    assert Arrangement.objects.count() == before
    unit = make_jfo()
    response = api.generic("PATCH", f"/api/v1/jfos/{unit.pk}/", json.dumps({"objectives": "y" * (6 * MB)}),
                           content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert JointForceOperation.objects.get(pk=unit.pk).objectives == ""


def test_many_small_json_fields_below_the_limit_are_ignored_not_stored(api):
    body = {"acronym": "MANY-1", "name_en": "Many", "jurisdiction": "other", **{f"k{i}": i for i in range(20_000)}}
    response = api.post("/api/v1/agencies/", body, format="json")
    assert response.status_code == 201, response.status_code
    assert set(response.json()) <= {f.name for f in Agency._meta.get_fields()} | {"name", "parent_acronym"}


def test_deeply_nested_json_body_is_refused_not_500(api):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        response = api.generic("POST", "/api/v1/agencies/", body, content_type="application/json")
        assert response.status_code == 400, (body[:10], response.status_code)
        assert_no_leak(response)


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("{", "application/json", 400),
    ('{"acronym": "X"', "application/json", 400),
    ('{"fte": NaN}', "application/json", 400),
    ('{"fte": Infinity}', "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ("null", "application/json", 400),
    ('"text"', "application/json", 400),
    ("\xff\xfe{}", "application/json", 400),
    ("<a/>", "application/xml", 415),  # no parser for XML: Unsupported Media Type
    ("acronym=X&acronym=Y", "application/x-www-form-urlencoded", 400),
    ("--b\r\nbroken", "multipart/form-data; boundary=b", 400),
    ("{}", "multipart/form-data", 400),  # no boundary
])
def test_malformed_bodies_are_refused(api, body, content_type, status):
    before = Agency.objects.count()
    response = api.generic("POST", "/api/v1/agencies/", body.encode("latin-1"), content_type=content_type)
    assert response.status_code == status, response.status_code
    assert_no_leak(response)
    assert Agency.objects.count() == before


def test_oversized_document_upload_is_refused(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    arrangement = new_arrangement()
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (settings.ARRANGEMENT_DOCUMENT_MAX_BYTES + 1),
                             content_type="application/pdf")
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/documents/", {"title": "Big", "kind": "annex", "file": big})
    assert response.status_code == 400, response.status_code
    assert not arrangement.documents.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_oversized_and_crowded_page_forms_are_refused(pages):
    assignment = make_assignment()
    url = f"/assignments/{assignment.pk}/change/"
    response = pages.post(url, {"fte": "1.00", "start_date": "2010-04-01", "role": "x" * (6 * MB)})
    assert response.status_code == 400, response.status_code  # RequestDataTooBig
    response = pages.post(url, {f"field{i}": "x" for i in range(2000)})
    assert response.status_code == 400, response.status_code  # TooManyFieldsSent
    assert Assignment.objects.get(pk=assignment.pk).role == ""


def test_api_error_answers_are_json(api):
    """An API client gets JSON for every refusal, even those decided before DRF runs."""
    for method, url, body, status in (
        ("GET", "/api/v1/jfos/1.5/", None, 404),  # an id the route does not match
        ("GET", "/api/v1/no-such-resource/", None, 404),
        ("POST", "/api/v1/arrangements/", json.dumps({"reference": "B", "title": "B", "notes": "x" * (6 * MB)}), 400),
    ):
        response = api.generic(method, url, body or "", content_type="application/json")
        assert response.status_code == status, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (method, url, response["Content-Type"])


def test_a_refused_filter_answers_an_object_of_field_errors(api):
    """The schema documents 400 as {field: [messages]}; a list is not that."""
    for url in ("/api/v1/regions/?q=%00", "/api/v1/jfos/?fiscal_year=%00", "/api/v1/officers/?employee_number=%00"):
        response = api.get(url)
        assert response.status_code == 400, (url, response.status_code)
        assert isinstance(response.json(), dict), (url, response.json())


# --- pagination -------------------------------------------------------------------------------------

LIST_ENDPOINTS = ["regions", "agencies", "threats", "programs", "jfos", "officers", "assignments", "salary-rates",
                  "costing-policies", "arrangements", "information-sharing-conditions", "gap-actions"]


@pytest.mark.parametrize("resource", LIST_ENDPOINTS)
def test_api_pagination_extremes(api, resource):
    url = f"/api/v1/{resource}/"
    # No such page: 404; a NUL byte is refused before any page is looked for: 400.
    for page, status in (("1000000000", 404), (str(10**30), 404), ("0", 404), ("-1", 404), ("abc", 404),
                         ("1e3", 404), ("1.5", 404), ("²", 404), ("\x00", 400)):
        response = api.get(url, {"page": page})
        assert response.status_code == status, (page, response.status_code)
        assert_no_leak(response)
    # Too large means the largest page (1000 rows); no value means the default; else 400.
    for page_size, status in (("1000000000", 200), (str(10**30), 200), ("0", 400), ("-1", 400), ("abc", 400),
                              ("1.5", 400), ("²", 400), ("", 200)):
        response = api.get(url, {"page_size": page_size})
        assert response.status_code == status, (page_size, response.status_code)
        if status == 200:
            assert len(response.json()["results"]) <= 1000  # RegistryPagination.max_page_size
    assert api.get(url, {"page": "last"}).status_code == 200
    response = api.get(f"{url}1/history/", {"page": "1000000000"})
    assert response.status_code == 404, response.status_code


# The registry's lists answer 404 for a page they do not have; the admin's changelist answers 200
# with a page of its own instead. A NUL byte is refused by both (400).
@pytest.mark.parametrize(("url", "no_such_page"), [
    ("/jfos/", 404), ("/officers/", 404), ("/arrangements/", 404), ("/admin/operations/officer/", 200),
    ("/admin/operations/assignment/", 200),
])
def test_page_pagination_extremes(pages, url, no_such_page):
    parameter = "p" if url.startswith("/admin/") else "page"
    for page in ("1000000000", str(10**30), "0", "-1", "abc", "1e3", "²"):
        response = pages.get(url, {parameter: page})
        assert response.status_code == no_such_page, (page, response.status_code)
        assert_no_leak(response)
    assert pages.get(url, {parameter: "\x00"}).status_code == 400


# --- unknown and read-only fields -------------------------------------------------------------------

SPOOFED = {
    "id": 424242, "pk": 424242, "created": "1999-01-01T00:00:00Z", "last_updated": "1999-01-01T00:00:00Z",
    "is_superuser": True, "is_staff": True, "history": [{"x": 1}], "__proto__": {"admin": True}, "evil": SCRIPT,
}


def test_unknown_and_read_only_fields_are_ignored_on_create(api):
    payloads = {
        "agencies": {"acronym": "SPOOF-A", "name_en": "Spoof", "jurisdiction": "other", "parent_acronym": "HACK",
                     "name": "Spoofed name"},
        "officers": {"employee_number": "SPOOF-O", "name": "Spoof", "position": "IO", "classification": "FB-04",
                     "home_region": 1, "home_region_code": "HACK"},
        "jfos": {"acronym": "SPOOF-J", "name": "Spoof", "jfo_type": "regional", "region": 1, "region_code": "HACK",
                 "start_date": "2012-04-01",
                 "program_code": "HACK", "participations": [{"agency": 1, "role": "lead", "agency_acronym": "HACK",
                                                             "jfo": 1, "extra": True}]},
        "arrangements": {"reference": "SPOOF-R", "title": "Spoof", "effective_status": "in_force",
                         "jfo_acronyms": ["HACK"]},
    }
    for resource, payload in payloads.items():
        response = api.post(f"/api/v1/{resource}/", {**payload, **SPOOFED}, format="json")
        assert response.status_code == 201, (resource, response.status_code, response.content)
        body = response.json()
        assert body["id"] != 424242, resource
        assert not body["created"].startswith("1999"), resource
        assert not {"is_superuser", "is_staff", "evil", "pk", "__proto__"} & set(body), resource
    assert not Agency.objects.filter(pk=424242).exists()
    assert Agency.objects.get(acronym="SPOOF-A").parent is None
    assert Officer.objects.get(employee_number="SPOOF-O").home_region.code != "HACK"
    assert Arrangement.objects.get(reference="SPOOF-R").status == "draft"
    assert JointForceOperation.objects.get(acronym="SPOOF-J").region_id == 1
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_read_only_nested_sources_are_not_written_through(api):
    """An assignment shows its officer's and unit's names: writing them must not rename those."""
    assignment = make_assignment()
    officer, unit = assignment.officer, assignment.jfo
    response = api.patch(f"/api/v1/assignments/{assignment.pk}/", {
        "employee_number": "HACKED", "officer_name": "Mallory", "jfo_acronym": "HACKED", "region_code": "PAC",
        "notes": "Analyst", **SPOOFED,
    }, format="json")
    assert response.status_code == 200, response.content
    officer.refresh_from_db()
    unit.refresh_from_db()
    assert (officer.employee_number, officer.name) != ("HACKED", "Mallory")
    assert unit.acronym != "HACKED" and unit.region.code != "PAC"
    assert Assignment.objects.get(pk=assignment.pk).notes == "Analyst"
    assert Assignment.objects.get(pk=assignment.pk).pk == assignment.pk


def test_arrangement_write_answers_its_current_effective_status(api):
    """`effective_status` is read-only and required in the schema: a write's answer must carry the
    value a GET gives right after (not be missing on create, nor stale on update)."""
    response = api.post("/api/v1/arrangements/", {"reference": "EFF-1", "title": "Effective"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json().get("effective_status") == "draft"
    pk = response.json()["id"]
    response = api.patch(f"/api/v1/arrangements/{pk}/", {
        "status": "in_force", "signed_date": "2012-01-01", "effective_date": "2012-01-02", "expiry_date": "2013-01-01",
    }, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["effective_status"] == api.get(f"/api/v1/arrangements/{pk}/").json()["effective_status"]


def test_an_object_for_a_list_of_relations_is_refused_not_taken_as_empty(api):
    """`{"jfos": {}}` is not a list: taking it for `[]` silently removes every covered unit."""
    arrangement = Arrangement.objects.filter(jfos__isnull=False).distinct().first()
    covered = set(arrangement.jfos.values_list("pk", flat=True))
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"jfos": {}}, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert set(arrangement.jfos.values_list("pk", flat=True)) == covered
    unit = JointForceOperation.objects.filter(threats__isnull=False).distinct().first()
    threats = set(unit.threats.values_list("pk", flat=True))
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"threats": {}}, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert set(unit.threats.values_list("pk", flat=True)) == threats


def test_a_fraction_is_not_taken_for_a_record_id(api):
    """`{"home_region": 1.5}` must not silently become region 1."""
    officer = make_officer(region_code="PAC")
    response = api.patch(f"/api/v1/officers/{officer.pk}/", {"home_region": 1.5}, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert Officer.objects.get(pk=officer.pk).home_region.code == "PAC"


# --- wrong types -------------------------------------------------------------------------------------

WRONG_VALUES = ["12", 12, 1.5, -1, 10**30, True, False, "true", "yes", "maybe", None, [], ["x"], {}, {"id": 1}, "",
                "2010-13-45", SCRIPT, "1; DROP TABLE x"]
TRUE_TEXT = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "1", "t", "T", "y", "Y"}
FALSE_TEXT = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "0", "f", "F", "n", "N"}


def base_payloads() -> dict:
    officer, unit = make_officer(), make_jfo()
    return {
        "agencies": {"acronym": "TYPE-A", "name_en": "Types", "jurisdiction": "other", "country": "CA", "active": True,
                     "parent": None},
        "officers": {"employee_number": "TYPE-O", "name": "Types", "position": "IO", "classification": "FB-04",
                     "home_region": 1, "active": True},
        "jfos": {"acronym": "TYPE-J", "name": "Types", "jfo_type": "regional", "region": 1, "program": None,
                 "threats": [], "participations": [], "co_located": False, "has_joint_management_team": False,
                 "status": "active", "start_date": "2010-04-01", "end_date": None, "objectives": ""},
        "assignments": {"officer": officer.pk, "jfo": unit.pk, "fte": "0.50", "start_date": "2010-04-01",
                        "end_date": None, "role": "", "notes": ""},
        "arrangements": {"reference": "TYPE-R", "title": "Types", "kind": "wca", "status": "draft", "signed_date": None,
                         "effective_date": None, "expiry_date": None, "review_date": None, "notice_period_days": 30,
                         "supersedes": None, "jfos": [], "parties": [], "condition_coverages": [],
                         "joint_management_team": False, "notes": ""},
        "salary-rates": {"classification": "FB-04", "fiscal_year": "2030-2031", "annual_salary": "75000.00"},
        "costing-policies": {"fiscal_year": "2030-2031", "employee_benefits_rate": "0.2000"},
    }


WRONG_TYPE_FIELDS = [
    ("agencies", ["acronym", "name_en", "jurisdiction", "country", "active", "parent"]),
    ("officers", ["employee_number", "name", "position", "home_region", "active"]),
    ("jfos", ["name", "jfo_type", "region", "program", "threats", "participations", "co_located", "status",
              "start_date", "end_date", "objectives"]),
    ("assignments", ["officer", "jfo", "fte", "start_date", "end_date", "role", "notes"]),
    ("arrangements", ["title", "kind", "status", "signed_date", "notice_period_days", "supersedes", "jfos", "parties",
                      "condition_coverages", "joint_management_team"]),
    ("salary-rates", ["classification", "fiscal_year", "annual_salary"]),
    ("costing-policies", ["fiscal_year", "employee_benefits_rate"]),
]


def accepted_value_is_right(sent, shown) -> bool:
    """What a correct API makes of `sent` when it accepts it (the value it then shows)."""
    if isinstance(shown, bool):
        if isinstance(sent, bool):
            return shown is sent
        return (str(sent) in TRUE_TEXT and shown is True) or (str(sent) in FALSE_TEXT and shown is False)
    if isinstance(sent, (list, dict)):
        return sent == shown or (sent == [] and shown == [])
    if sent is None or (sent == "" and shown is None):  # DRF: "" for a nullable relation means null
        return shown is None
    if isinstance(shown, str):
        if isinstance(sent, (int, float)) and not isinstance(sent, bool):
            return shown == str(sent)  # a number given for a text: kept as its digits
        return shown == sent or shown == str(sent)
    if isinstance(shown, (int, float)) and not isinstance(shown, bool):
        try:
            return float(sent) == float(shown)
        except (TypeError, ValueError):
            return False
    return False


@pytest.mark.parametrize(("resource", "fields"), WRONG_TYPE_FIELDS, ids=[r for r, _ in WRONG_TYPE_FIELDS])
def test_wrong_types_are_refused_or_understood(api, resource, fields):
    payloads = base_payloads()
    problems = []
    for field in fields:
        for index, value in enumerate(WRONG_VALUES):
            payload = dict(payloads[resource])
            for unique in ("acronym", "employee_number", "reference"):
                if unique in payload and unique != field:
                    payload[unique] = f"{payload[unique][:10]}-{field[:3]}{index}"
            if resource in ("salary-rates", "costing-policies") and field != "fiscal_year":
                payload["fiscal_year"] = 2031 + index + 20 * fields.index(field)
            payload[field] = value
            response = api.post(f"/api/v1/{resource}/", payload, format="json")
            label = f"{resource}.{field}={value!r:.40}"
            if response.status_code == 400:
                if not isinstance(response.json(), dict):
                    problems.append(f"{label}: 400 body is not an object")
                continue
            if response.status_code != 201:
                problems.append(f"{label}: {response.status_code}")
                continue
            shown = response.json()[field]
            again = api.get(f"/api/v1/{resource}/{response.json()['id']}/").json()[field]
            if again != shown:
                problems.append(f"{label}: answered {shown!r} but stored {again!r}")
            elif field != "fiscal_year" and not accepted_value_is_right(value, shown):
                problems.append(f"{label}: accepted as {shown!r}")
    assert not problems, "\n".join(problems)


# --- hostile filters ----------------------------------------------------------------------------------


def list_operations() -> dict[str, list[str]]:
    """Every collection GET of the schema (resources, reports) with its query parameters."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, methods in document["paths"].items():
        if "{" in path or "get" not in methods:
            continue
        operations[path] = sorted({p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"})
    return operations


LIST_OPERATIONS = list_operations()


@pytest.mark.parametrize("path", sorted(LIST_OPERATIONS))
def test_api_query_parameters_survive_hostile_values(api, path):
    problems = []
    for parameter in LIST_OPERATIONS[path]:
        for value in HOSTILE_QUERY:
            response = api.get(path, {parameter: value})
            label = f"{path}?{parameter}={value[:30]!r}"
            if response.status_code not in (200, 400, 404):
                problems.append(f"{label}: {response.status_code}")
                continue
            if not response["Content-Type"].startswith(("application/json", "text/csv")):
                problems.append(f"{label}: {response['Content-Type']}")
            leaked = [marker for marker in LEAKS if marker in response.content.decode("utf-8", "replace")]
            if leaked:
                problems.append(f"{label}: shows {leaked}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("resource", [r for r in LIST_ENDPOINTS if "q" in LIST_OPERATIONS[f"/api/v1/{r}/"]])
def test_search_metacharacters_match_literally(api, resource):
    """`' OR 1=1 --`, `%` and `_` are text to look for, not SQL: they do not match every row."""
    total = api.get(f"/api/v1/{resource}/").json()["count"]
    for value in ("' OR 1=1 --", "' OR '1'='1", "%", "%%", "_", "\\"):
        response = api.get(f"/api/v1/{resource}/", {"q": value})
        assert response.status_code == 200, (value, response.status_code)
        assert response.json()["count"] < total or total == 0, (resource, value)


def test_a_code_with_superscript_digits_is_a_code_not_500(api, pages):
    """`IdOrCodeFilter` and the lead-agency filter took `"²".isdigit()` for a number and called
    int(); the value is now looked up as a code (answered, not a 500)."""
    for url in ("/api/v1/jfos/?region=%C2%B2", "/api/v1/jfos/?lead_agency=%C2%B2", "/api/v1/officers/?jfo=%C2%B2",
                "/api/v1/assignments/?officer=%C2%B2", "/api/v1/arrangements/?party=%C2%B2",
                "/api/v1/agencies/?parent=%C2%B3"):
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in ("/jfos/?region=%C2%B2", "/jfos/?lead_agency=%C2%B2", "/officers/?home_region=%C2%B2",
                "/arrangements/?party=%C2%B2"):
        response = pages.get(url)
        assert response.status_code == 200, (url, response.status_code)


PAGE_FILTERS = {
    "/jfos/": ("q", "region", "jfo_type", "program", "lead_agency", "status", "threat", "covered", "ordering",
               "fiscal_year", "start_date_after", "agency"),
    "/officers/": ("q", "home_region", "position", "classification", "active", "jfo", "ordering", "fiscal_year"),
    "/arrangements/": ("q", "status", "kind", "region", "party", "expiring", "ordering", "fiscal_year", "jfo",
                       "effective_date_after"),
    "/admin/operations/officer/": ("q", "o", "home_region__id__exact", "active__exact", "position__exact"),
    "/admin/operations/assignment/": ("q", "o", "officer__id__exact"),
    "/admin/agreements/arrangement/": ("q", "o", "status__exact"),
}


@pytest.mark.parametrize("url", sorted(PAGE_FILTERS))
def test_page_filters_survive_hostile_values(pages, url):
    problems = []
    for parameter in PAGE_FILTERS[url]:
        for value in HOSTILE_QUERY:
            response = pages.get(url, {parameter: value})
            label = f"{url}?{parameter}={value[:30]!r}"
            if response.status_code not in (200, 302, 400, 404):
                problems.append(f"{label}: {response.status_code}")
                continue
            html = response.content.decode("utf-8", "replace")
            if SCRIPT in html or "<img src=x>" in html:
                problems.append(f"{label}: reflected unescaped")
            leaked = [marker for marker in LEAKS if marker in html]
            if leaked:
                problems.append(f"{label}: shows {leaked}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


# --- reports ------------------------------------------------------------------------------------------

REPORT_VALUES = {
    "fiscal_year": ["<script>", "' OR 1=1 --", "0", "-1", "1899", "3000", "99999999999999999999", "2010-2012",
                    "2010-2011-2012", "²⁰¹⁰", "٢٠١٠", "2010\x00", "", "2999", "1900"],
    "group_by": ["<script>", "' OR 1=1 --", "region; DROP TABLE x", "__class__", "jfo_type__name", "program,region", ""],
    "on": ["0001-01-01", "9999-12-31", "2010-02-30", "<script>", "-1", "99999-01-01", "2010-04-01T00:00", ""],
    "days": ["-1", "0", "3650", "3651", "99999999999999999999", "1e3", "abc", "1.5", "²"],
    "threshold_years": ["-1", "60", "61", "1e9", "NaN", "Infinity", "abc"],
    "under_threshold": ["-1", "1.01", "NaN", "-Infinity", "abc"],
    "region": ["<script>", "' OR 1=1 --", ",,,", "GTA,'"],
    "status": ["<script>", "in_force'--"],
    "format": ["csv", "json", "xml", "<script>", "../../etc/passwd"],
}
REPORTS = {
    "resources": ("fiscal_year", "group_by", "region", "format"),
    "tenure": ("on", "threshold_years", "region", "format"),
    "allocation": ("fiscal_year", "under_threshold", "region", "format"),
    "coverage": ("fiscal_year", "on", "region", "format"),
    "conditions": ("status", "format"),
    "expiring": ("days", "on", "region", "format"),
    "gaps": ("on", "region", "format"),
}


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_api_reports_survive_hostile_parameters(api, report):
    problems = []
    for parameter in REPORTS[report]:
        for value in REPORT_VALUES[parameter]:
            response = api.get(f"/api/v1/reports/{report}/", {parameter: value})
            label = f"{report}?{parameter}={value!r}"
            if response.status_code not in (200, 400, 404):
                problems.append(f"{label}: {response.status_code}")
            elif any(marker in response.content.decode("utf-8", "replace") for marker in LEAKS):
                problems.append(f"{label}: leaks internals")
            elif (response.status_code == 400 and response["Content-Type"].startswith("application/json")
                  and not isinstance(json_body(response), dict)):
                problems.append(f"{label}: 400 body is not an object")
    assert not problems, "\n".join(problems)


def test_expiring_report_on_the_last_representable_date(api, pages):
    """`on + days` must not overflow `datetime.date.max`."""
    for query in ({"on": "9999-12-31"}, {"on": "9999-12-01", "days": "3650"}, {"on": "9999-12-31", "days": "0"}):
        response = api.get("/api/v1/reports/expiring/", query)
        assert response.status_code == 200, (query, response.status_code)
    response = pages.get("/reports/expiring/", {"days": "3650"})
    assert response.status_code == 200


def test_extreme_dates_accepted_by_the_api_do_not_break_the_pages(api, pages):
    """The last date the API accepts (2999-12-31, `LATEST_DATE`) must not turn the pages that
    show it into 500s; a later one (the last day of year 9999) is refused."""
    assignment = make_assignment()
    arrangement = new_arrangement()
    arrangement.jfos.add(assignment.jfo)
    writes = [
        (f"/api/v1/assignments/{assignment.pk}/", ("end_date",)),
        (f"/api/v1/jfos/{assignment.jfo_id}/", ("end_date",)),
        (f"/api/v1/arrangements/{arrangement.pk}/", ("expiry_date", "review_date")),
    ]
    for url, fields in writes:
        response = api.patch(url, dict.fromkeys(fields, "9999-12-31"), format="json")
        assert response.status_code == 400, (url, response.status_code)
        assert set(response.json()) == set(fields), response.json()
        response = api.patch(url, dict.fromkeys(fields, "2999-12-31"), format="json")
        assert response.status_code == 200, (url, response.status_code)
    for url in (f"/officers/{assignment.officer_id}/", f"/jfos/{assignment.jfo_id}/", f"/arrangements/{arrangement.pk}/",
                "/", "/reports/tenure/", "/reports/allocation/", "/reports/expiring/", "/reports/coverage/"):
        response = pages.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in ("/api/v1/reports/tenure/", "/api/v1/reports/allocation/", "/api/v1/reports/expiring/",
                f"/api/v1/assignments/{assignment.pk}/history/"):
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code)


PAGE_REPORTS = {
    "/": ("fiscal_year",),
    "/reports/resources/": ("fiscal_year", "group_by"),
    "/reports/tenure/": ("on",),
    "/reports/allocation/": ("fiscal_year",),
    "/reports/coverage/": ("fiscal_year",),
    "/reports/expiring/": ("days",),
    "/reports/conditions/": ("status",),
    "/reports/gaps/": ("on",),
}


@pytest.mark.parametrize("url", sorted(PAGE_REPORTS))
def test_report_pages_survive_hostile_parameters(pages, url):
    problems = []
    for parameter in PAGE_REPORTS[url]:
        for value in REPORT_VALUES[parameter] + ["x" * 3000]:
            for extra in ({}, {"format": "csv"}):
                response = pages.get(url, {parameter: value, **extra})
                label = f"{url}?{parameter}={value[:30]!r} {extra}"
                if response.status_code not in (200, 400):
                    problems.append(f"{label}: {response.status_code}")
                    continue
                html = response.content.decode("utf-8", "replace")
                if "<script>" in html:
                    problems.append(f"{label}: reflected unescaped")
                if any(marker in html for marker in LEAKS):
                    problems.append(f"{label}: leaks internals")
    assert not problems, "\n".join(problems)

"""The Django admin: every model's changelist, the FTE rule in its forms, protected deletes."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import (
    Arrangement,
    ArrangementDocument,
    ArrangementParty,
    ConditionCoverage,
    GapAction,
    InformationSharingCondition,
    ReminderSent,
)
from jfo_registry.core.admin import RegistryImportExportMixin
from jfo_registry.core.concurrency import version_of
from operations import services
from operations.models import (
    Agency, Assignment, ClosedYearCorrection, FiscalYearClosure, JointForceOperation, Officer, Participation,
)
from tests.conftest import TEST_PASSWORD, count_queries, make_assignment, make_jfo, make_officer
from tests.html_forms import submitted_form

pytestmark = pytest.mark.django_db
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"operations", "agreements"}),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def admin_client(client, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    return client


def add_rows(count: int) -> None:
    """More rows of every kind, to show that a changelist's query count does not follow them."""
    parent = Agency.objects.get(acronym="US-DHS")
    conditions = list(InformationSharingCondition.objects.all())
    predecessor = Arrangement.objects.create(reference=f"ADM-FIRST-{count}", title="x")
    for index in range(count):
        unit = make_jfo()
        officer = make_officer()
        make_assignment(officer=officer, jfo=unit, start=datetime.date(2012, 1, 1))
        services.officer_change(officer, effective_from=datetime.date(2012, 6, 1), classification="FB-05")
        services.unit_change(unit, effective_from=datetime.date(2012, 6, 1), jfo_type="national")
        agency = Agency.objects.create(acronym=f"ADM-{unit.pk}", name_en="x", jurisdiction="other", parent=parent)
        Participation.objects.create(jfo=unit, agency=agency, role="lead")
        arrangement = Arrangement.objects.create(reference=f"ADM-{unit.pk}", title="x", supersedes=predecessor)
        predecessor = arrangement  # one successor each: a chain
        ArrangementParty.objects.create(arrangement=arrangement, agency=agency)
        for condition in conditions:
            ConditionCoverage.objects.create(arrangement=arrangement, condition=condition)
        GapAction.objects.create(jfo=unit, action="Negotiate a WCA", owner="GTA manager", due_date=datetime.date(2027, 1, 1))
        ReminderSent.objects.create(arrangement=arrangement, kind="expiry", target_date=datetime.date(2027, 1, 1), threshold_days=90)
        document = ArrangementDocument(arrangement=arrangement, title="Signed", content_type="application/pdf", size=9)
        document.file.save("signed.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        document.uploaded_by = get_user_model().objects.first()
        document.save()
        ClosedYearCorrection.objects.create(
            fiscal_year=2010, corrected_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            corrected_by=get_user_model().objects.first(), reason="x",
        )
        FiscalYearClosure.objects.create(
            fiscal_year=1990 + FiscalYearClosure.objects.count(), closed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            closed_by=get_user_model().objects.first(),
        )


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_registry_model_is_in_the_admin():
    models = {
        m for label in ("operations", "agreements") for m in apps.get_app_config(label).get_models()
        if not m.__name__.startswith("Historical")  # shown through each record's history, never edited
    }
    assert models <= set(admin.site._registry)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    url = changelist(model)
    add_rows(1)
    admin_client.get(url)
    first = count_queries(lambda: admin_client.get(url))
    add_rows(4)
    response = admin_client.get(url)
    assert response.status_code == 200
    second = count_queries(lambda: admin_client.get(url))
    assert second == first, f"{model._meta.label}: {first} queries, then {second} with more rows"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_and_add_pages_open(admin_client, model):
    add_rows(1)
    obj = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    # written by notify_expiring only; recorded by the services on each correction of a closed year;
    # officer and unit periods by officer_change and unit_change only
    read_only = model._meta.model_name in {"remindersent", "closedyearcorrection", "officerperiod", "unitperiod"}
    assert admin_client.get(url).status_code == (403 if read_only else 200)


def test_admin_refuses_an_over_allocation_with_the_field_message(admin_client):
    existing = make_assignment(fte="0.80", start=datetime.date(2010, 4, 1))
    other_unit = make_jfo()
    response = admin_client.post(
        reverse("admin:operations_assignment_add"),
        {
            "officer": existing.officer.pk, "jfo": other_unit.pk, "fte": "0.30",
            "start_date": "2010-06-01", "end_date": "", "role": "", "notes": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "would be assigned more than 1.00 FTE" in errors["fte"][0]
    assert Assignment.objects.filter(officer=existing.officer).count() == 1


def test_admin_inline_assignments_are_checked_together(admin_client):
    officer = make_officer()
    unit = make_jfo()
    other = make_jfo()
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    data = {
        "employee_number": officer.employee_number, "name": officer.name, "position": officer.position,
        "classification": officer.classification, "home_region": officer.home_region.pk, "active": "on",
        "assignments-TOTAL_FORMS": "2", "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        # in an open year (inline writes into closed 2010-2011: test_effective_dating)
        "assignments-0-jfo": unit.pk, "assignments-0-fte": "0.60", "assignments-0-start_date": "2020-04-01",
        "assignments-1-jfo": other.pk, "assignments-1-fte": "0.60", "assignments-1-start_date": "2020-04-01",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "would be assigned more than 1.00 FTE" in response.content.decode()
    assert not officer.assignments.exists()
    data["assignments-1-fte"] = "0.40"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert officer.assignments.count() == 2


def test_deleting_a_protected_record_shows_what_holds_it(admin_client):
    assignment = make_assignment()
    url = reverse("admin:operations_officer_delete", args=[assignment.officer.pk])
    response = admin_client.get(url)
    content = response.content.decode()
    assert "would require deleting the following protected related objects" in content
    assert str(assignment) in content
    admin_client.post(url, {"post": "yes"})
    assert Officer.objects.filter(pk=assignment.officer.pk).exists()


@pytest.mark.parametrize("fixture", ["analyst", "gta_manager", "no_role_user"])
def test_only_administrators_reach_the_admin(client, request, fixture):
    user = request.getfixturevalue(fixture)
    assert client.login(username=user.username, password=TEST_PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admin_changes_are_recorded_and_history_is_shown_read_only(admin_client, administrator):
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    url = reverse("admin:operations_assignment_change", args=[assignment.pk])
    data = {
        "officer": assignment.officer.pk, "jfo": assignment.jfo.pk, "fte": "0.50", "start_date": "2020-04-01",
        "end_date": "", "role": "", "notes": "Changed in admin", "version": version_of(assignment),
    }
    assert admin_client.post(url, data).status_code == 302
    record = assignment.history.latest()
    assert (record.history_user, record.history_change_reason, record.notes) == (administrator, "admin", "Changed in admin")
    history = admin_client.get(reverse("admin:operations_assignment_history", args=[assignment.pk]))
    assert history.status_code == 200 and "Changed in admin" in history.content.decode()
    past_url = reverse("admin:operations_assignment_simple_history", args=[assignment.pk, assignment.history.earliest().history_id])
    past = admin_client.get(past_url)
    assert past.status_code == 200
    assert 'name="_continue"' not in past.content.decode() and "Revert" not in past.content.decode()
    # Nor can a crafted form save the past version back.
    assignment.refresh_from_db()
    assert admin_client.post(past_url, {**data, "notes": "Reverted", "version": version_of(assignment)}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.notes == "Changed in admin"


def test_admin_refuses_a_stale_save_with_the_other_change(admin_client, administrator):
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    loaded = version_of(assignment)
    services.assignment_update(assignment=Assignment.objects.get(pk=assignment.pk), fte="0.30")
    url = reverse("admin:operations_assignment_change", args=[assignment.pk])
    response = admin_client.post(url, {
        "officer": assignment.officer.pk, "jfo": assignment.jfo.pk, "fte": "0.90", "start_date": "2020-04-01",
        "end_date": "", "role": "", "notes": "", "version": loaded,
    })
    assert response.status_code == 200
    assert "Someone else changed this record since you opened it" in response.content.decode()
    assert "0.50 → 0.30" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).fte == Decimal("0.30")


def _admin_import(admin_client, csv_text: str):
    url = reverse("admin:operations_assignment_import")
    page = admin_client.get(url)
    formats = page.context["form"].fields["format"].choices
    csv_index = next(value for value, label in formats if str(label).lower() == "csv")
    upload = SimpleUploadedFile("assignments.csv", csv_text.encode(), content_type="text/csv")
    return admin_client.post(url, {"format": csv_index, "import_file": upload, "resource": 0})


def test_admin_import_previews_refuses_bad_files_and_records_history(admin_client, administrator):
    officer = make_officer()
    unit = make_jfo()
    bad = (
        "employee_number,jfo,fte,start_date,end_date,role,notes\n"
        f"{officer.employee_number},{unit.acronym},0.50,2020-04-01,,IO,\n"
        f"{officer.employee_number},{unit.acronym},1.50,2021-04-01,,IO,\n"
    )
    preview = _admin_import(admin_client, bad)
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert not officer.assignments.exists()
    good = (
        "employee_number,jfo,fte,start_date,end_date,role,notes\n"
        f"{officer.employee_number},{unit.acronym},0.50,2020-04-01,,IO,\n"
    )
    preview = _admin_import(admin_client, good)
    confirm = preview.context["confirm_form"]
    assert confirm is not None and not officer.assignments.exists()  # a preview writes nothing
    response = admin_client.post(
        reverse("admin:operations_assignment_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    record = officer.assignments.get().history.get()
    assert (record.history_user, record.history_change_reason) == (administrator, "import")


EXPORTING = [model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, RegistryImportExportMixin)]


@pytest.mark.parametrize("model", EXPORTING, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("method", ["get", "options", "post"])
def test_an_export_address_with_an_unknown_filter_goes_back_to_the_form(admin_client, model, method):
    """`?format=csv` (or any parameter the change list has no filter for) is not a 500."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    response = getattr(admin_client, method)(f"{url}?format=csv")
    assert response.status_code == 302
    assert response["Location"] == url
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "The address holds filters this list does not have" in page.content.decode()


def test_an_export_address_with_a_known_filter_still_filters(admin_client):
    url = reverse("admin:operations_officer_export")
    response = admin_client.get(f"{url}?home_region__id__exact=1&active__exact=1")
    assert response.status_code == 200


def _seed_record(model_label: str):
    """A seed record nobody touched, with what trips a versioned form: links and inline assignments."""
    if model_label == "agreements.arrangement":
        return Arrangement.objects.filter(jfos__isnull=False, parties__isnull=False).distinct().order_by("pk").first()
    if model_label == "operations.assignment":
        return Assignment.objects.order_by("pk").first()
    if model_label == "operations.officer":
        return Officer.objects.filter(assignments__isnull=False).distinct().order_by("pk").first()
    return JointForceOperation.objects.filter(assignments__isnull=False).distinct().order_by("pk").first()


CHANGE_PAGES = ["agreements.arrangement", "operations.assignment", "operations.officer", "operations.jointforceoperation"]


@pytest.mark.parametrize("model_label", CHANGE_PAGES)
def test_an_untouched_change_page_saves(admin_client, model_label):
    """The page sends back the version it showed (the main form's and each inline assignment's)."""
    record = _seed_record(model_label)
    app_label, model_name = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_change", args=[record.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = submitted_form(page.content.decode(), form_id=f"{model_name}_form")
    versions = {key: values for key, values in data.items() if key.endswith("version") and "__prefix__" not in key}
    assert versions and all(values != [""] for values in versions.values())
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert "Someone else changed this record" not in admin_client.get(response["Location"]).content.decode()


def test_an_inline_assignment_changed_since_the_page_was_opened_is_refused(admin_client):
    officer = _seed_record("operations.officer")
    assignment = officer.assignments.order_by("pk").first()
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    data = submitted_form(admin_client.get(url).content.decode(), form_id="officer_form")
    row = next(key.removesuffix("-id") for key, values in data.items() if key.endswith("-id") and values == [str(assignment.pk)])
    data[f"{row}-role"] = ["Changed in the admin"]
    services.assignment_update(assignment=Assignment.objects.get(pk=assignment.pk), role="Changed elsewhere")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Someone else changed this record since you opened it" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).role == "Changed elsewhere"


def test_a_view_only_change_page_shows_no_version_row(client, analyst):
    """Who may not change the record sees no "version" field (there is nothing to save)."""
    analyst.is_staff = True
    analyst.save()
    analyst.user_permissions.add(Permission.objects.get(codename="view_assignment"))
    client.force_login(analyst)
    assignment = _seed_record("operations.assignment")
    response = client.get(reverse("admin:operations_assignment_change", args=[assignment.pk]))
    assert response.status_code == 200
    assert 'name="version"' not in response.content.decode()
    assert "field-version" not in response.content.decode()

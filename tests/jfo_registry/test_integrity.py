"""A write that loses a race to the database's unique rule reads as its validator would have
read it: the same field, the same message (`jfo_registry.core.integrity`), on both databases."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from django.urls import reverse

from agreements.forms import RenewForm
from agreements.models import Arrangement
from jfo_registry.core.integrity import CONFLICT_MESSAGE, as_validation_error, refuse_conflicts, violation_of
from operations.models import CostingPolicy, Officer, Region, SalaryRate
from tests.api import login
from tests.operations.test_models import DUPLICATES

pytestmark = pytest.mark.django_db


def database_refusal(instance) -> IntegrityError:
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        instance.save()
    return refused.value


@pytest.mark.parametrize("build", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_a_database_refusal_reads_as_the_validator_of_its_rule(build):
    duplicate = build()
    with pytest.raises(ValidationError) as validated:
        duplicate.full_clean()
    assert violation_of(database_refusal(duplicate)).message_dict == validated.value.message_dict


def test_a_one_field_rule_is_reported_on_its_field():
    refusal = violation_of(database_refusal(DUPLICATES["employee-number"]()))
    assert refusal.message_dict == {"employee_number": ["Officer with this Employee number already exists."]}
    refusal = violation_of(database_refusal(DUPLICATES["one-live-successor"]()))
    assert refusal.message_dict == {
        "supersedes": ["The arrangement this one supersedes already has a successor (one not terminated)."]
    }


def test_a_named_rule_of_several_fields_is_reported_with_its_own_message():
    refusal = violation_of(database_refusal(DUPLICATES["salary-rate-per-year"]()))
    assert refusal.message_dict == {"__all__": ["This classification already has a salary rate for this fiscal year."]}


def test_a_check_rule_is_reported_with_its_message():
    refusal = violation_of(database_refusal(CostingPolicy(fiscal_year=2031, employee_benefits_rate=Decimal("2"))))
    assert refusal.message_dict == {"__all__": ["The employee benefits rate must be between 0 and 1."]}


def test_a_refusal_of_no_known_rule_is_a_general_conflict():
    error = as_validation_error(IntegrityError("something else went wrong"))
    assert error.message_dict == {"__all__": [str(CONFLICT_MESSAGE)]}


def test_refuse_conflicts_leaves_the_transaction_usable_and_nothing_written():
    with transaction.atomic():
        with pytest.raises(ValidationError) as refused, refuse_conflicts():
            Region.objects.create(code="NEW", name_en="New", name_fr="Nouveau")
            DUPLICATES["region-code"]().save()
        assert "code" in refused.value.message_dict
        assert Region.objects.filter(code="NEW").exists() is False


# --- every entry point: a write whose validation missed a concurrent duplicate -----------------


@pytest.fixture
def validation_misses_duplicates(monkeypatch):
    """As if a concurrent write committed the duplicate just after this write was validated:
    the model's unique and constraint checks pass, the database refuses."""
    def simulate(*patched_forms):
        monkeypatch.setattr(models.Model, "validate_unique", lambda self, exclude=None: None)
        monkeypatch.setattr(models.Model, "validate_constraints", lambda self, exclude=None: None)
        for form_class, method in patched_forms:  # form-only checks (RenewForm: the reference)
            monkeypatch.setattr(form_class, method, lambda self: self.cleaned_data[method.removeprefix("clean_")])

    return simulate


def officer_payload():
    officer = Officer.objects.first()
    return {"employee_number": officer.employee_number, "name": "Again", "position": "IO",
            "classification": "FB-04", "home_region": officer.home_region_id}


API_DUPLICATES = {
    "officer": ("post", "/api/v1/officers/", officer_payload),
    "region": ("post", "/api/v1/regions/", lambda: {"code": "GTA", "name_en": "Again", "name_fr": "Encore"}),
    "salary-rate": ("post", "/api/v1/salary-rates/",
                    # a duplicate in an open year (2010-2011's rates are closed: refused before)
                    lambda: {"classification": SalaryRate.objects.get_or_create(
                        classification="FB-04", fiscal_year=2020, defaults={"annual_salary": 1})[0].classification,
                        "fiscal_year": "2020-2021", "annual_salary": 1}),
    "arrangement": ("post", "/api/v1/arrangements/",
                    lambda: {"reference": Arrangement.objects.first().reference, "title": "Again"}),
    "renewal": ("post", "renew", lambda: {"reference": Arrangement.objects.exclude(status="in_force").first().reference}),
}


@pytest.mark.parametrize("method, path, payload", API_DUPLICATES.values(), ids=API_DUPLICATES.keys())
def test_the_api_answers_a_lost_race_as_it_answers_a_duplicate(api, administrator, validation_misses_duplicates,
                                                               method, path, payload):
    if path == "renew":
        path = f"/api/v1/arrangements/{Arrangement.objects.filter(status='in_force').first().pk}/renew/"
    login(api, administrator)
    body = payload()
    validated = getattr(api, method)(path, body, format="json")
    assert validated.status_code == 400
    validation_misses_duplicates()
    raced = getattr(api, method)(path, body, format="json")
    assert raced.status_code == 400
    assert raced.json() == validated.json()


def test_the_api_answers_a_lost_race_for_a_second_successor_on_the_field(api, administrator,
                                                                          validation_misses_duplicates):
    login(api, administrator)
    predecessor = Arrangement.objects.filter(status="in_force").first()
    Arrangement.objects.create(reference="SUCC-1", title="First successor", supersedes=predecessor)
    second = Arrangement.objects.create(reference="SUCC-2", title="Second successor")
    url = f"/api/v1/arrangements/{second.pk}/"
    validated = api.patch(url, {"supersedes": predecessor.pk}, format="json", HTTP_IF_MATCH="*")
    validation_misses_duplicates()
    raced = api.patch(url, {"supersedes": predecessor.pk}, format="json", HTTP_IF_MATCH="*")
    assert validated.status_code == 400
    assert raced.status_code == 400
    assert raced.json() == validated.json() == {
        "supersedes": ["The arrangement this one supersedes already has a successor (one not terminated)."]
    }
    assert Arrangement.objects.get(pk=second.pk).supersedes is None


def test_the_admin_shows_a_lost_race_on_the_field_with_the_entries_kept(client, administrator,
                                                                         validation_misses_duplicates):
    client.force_login(administrator)
    url = reverse("admin:operations_officer_add")
    data = {**officer_payload(), "active": "on", "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000"}
    validated = client.post(url, data)
    validation_misses_duplicates()
    raced = client.post(url, data)
    for response in (validated, raced):
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert form.errors == {"employee_number": ["Officer with this Employee number already exists."]}
    assert raced.context["adminform"].form["name"].value() == "Again"
    assert Officer.objects.filter(employee_number=data["employee_number"]).count() == 1


def test_the_renewal_page_shows_a_lost_race_on_the_field(client, gta_manager, validation_misses_duplicates):
    client.force_login(gta_manager)
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    taken = Arrangement.objects.exclude(pk=arrangement.pk).first().reference
    validation_misses_duplicates((RenewForm, "clean_reference"))
    response = client.post(f"/arrangements/{arrangement.pk}/renew/", {"reference": taken, "title": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reference": ["Arrangement with this Reference already exists."]}
    assert not Arrangement.objects.filter(supersedes=arrangement).exists()


def test_any_other_page_answers_a_lost_race_with_409_and_the_rules_message(client, administrator,
                                                                            validation_misses_duplicates):
    client.force_login(administrator)
    validation_misses_duplicates((UserCreationForm, "clean_username"))
    response = client.post(reverse("admin:auth_user_add"), {
        "username": administrator.username, "password1": "A-long-pass-2026!", "password2": "A-long-pass-2026!",
        "usable_password": "true",
    })
    assert response.status_code == 409
    assert "A user with that username already exists." in response.content.decode()
    assert get_user_model().objects.filter(username=administrator.username).count() == 1

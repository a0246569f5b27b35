"""Review 1, finding 9 and the Low messages: a fiscal year is closed only once it has ended; the
closed-year refusals name several years in the plural; a closed year's salary rates and costing
policy are changed (or deleted) by reopening the year, which is what the refusal says."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from jfo_registry.core.fiscal import FiscalYear
from operations import services
from operations.models import CostingPolicy, FiscalYearClosure, SalaryRate, closed_year_message, year_labels
from tests.api import login

pytestmark = pytest.mark.django_db
D = datetime.date
REOPEN = "Reopen the year first (Fiscal year closures, with a reason), then close it again."


# --- finding 9: only a year that has ended is closed ---------------------------------------


@pytest.mark.parametrize("year", [FiscalYear.current(), FiscalYear.current().next(), FiscalYear(FiscalYear.current().start_year + 4)])
def test_closing_a_year_that_has_not_ended_is_refused_naming_its_last_day(administrator, year):
    with pytest.raises(ValidationError) as refused:
        services.fiscal_year_close(fiscal_year=year, actor=administrator, reason="Final")
    assert refused.value.message_dict == {"fiscal_year": [
        f"Fiscal year {year.label} has not ended (its last day is {year.end.isoformat()}): "
        "only a year that has ended can be closed."
    ]}
    assert not FiscalYearClosure.objects.filter(fiscal_year=year.start_year).exists()


def test_the_system_cannot_close_the_current_year_either():
    with pytest.raises(ValidationError):
        services.fiscal_year_close(fiscal_year=FiscalYear.current())
    assert not FiscalYearClosure.objects.filter(fiscal_year=FiscalYear.current().start_year).exists()


def test_the_year_just_ended_can_be_closed(administrator):
    year = FiscalYear(FiscalYear.current().start_year - 1)
    closure = services.fiscal_year_close(fiscal_year=year, actor=administrator, reason="Final")
    assert closure.closed and closure.fiscal_year == year.start_year


@pytest.mark.parametrize("offset", [0, 4])
def test_the_admin_refuses_closing_the_current_or_a_future_year_with_a_form_error(client, administrator, offset):
    year = FiscalYear(FiscalYear.current().start_year + offset)
    client.force_login(administrator)
    response = client.post(reverse("admin:operations_fiscalyearclosure_add"), {"fiscal_year": str(year.start_year), "reason": "x"})
    assert response.status_code == 200
    assert f"Fiscal year {year.label} has not ended" in response.content.decode()
    assert not FiscalYearClosure.objects.filter(fiscal_year=year.start_year).exists()


def test_a_year_of_the_current_year_cannot_be_closed_again_from_its_open_record(client, administrator):
    """An open closure record of the current year (left by data loaded before the rule) is not
    closed again through the admin either."""
    year = FiscalYear.current()
    closure = FiscalYearClosure.objects.create(fiscal_year=year.start_year, closed=False, closed_at=timezone.now())
    client.force_login(administrator)
    response = client.post(reverse("admin:operations_fiscalyearclosure_change", args=[closure.pk]), {"reason": "x"})
    assert response.status_code == 200
    assert f"Fiscal year {year.label} has not ended" in response.content.decode()
    assert not FiscalYearClosure.objects.get(pk=closure.pk).closed


def test_the_french_refusal(administrator):
    year = FiscalYear.current()
    with override("fr"), pytest.raises(ValidationError) as refused:
        services.fiscal_year_close(fiscal_year=year, actor=administrator)
    assert refused.value.message_dict["fiscal_year"][0].startswith(f"L’exercice {year.label} n’est pas terminé")


# --- Low: several closed years in the plural ------------------------------------------------


def close(*start_years: int) -> None:
    for start_year in start_years:
        FiscalYearClosure.objects.create(fiscal_year=start_year, closed=True, closed_at=timezone.now())


def test_year_labels_joins_with_and():
    assert year_labels([FiscalYear(2012)]) == "2012-2013"
    assert year_labels([FiscalYear(2012), FiscalYear(2014)]) == "2012-2013 and 2014-2015"
    assert year_labels([FiscalYear(2012), FiscalYear(2013), FiscalYear(2014)]) == "2012-2013, 2013-2014 and 2014-2015"


def test_a_write_touching_two_closed_years_names_them_in_the_plural(gta_manager, administrator):
    close(2012, 2014)
    span = [(D(2012, 6, 1), D(2015, 1, 31))]
    with pytest.raises(ValidationError) as refused:
        services.check_closed_years(gta_manager, span)
    assert refused.value.messages == [
        "Fiscal years 2012-2013 and 2014-2015 are closed: their figures can no longer be changed. Make the change "
        "take effect after them, or ask an administrator to correct the years, giving a reason."
    ]
    with pytest.raises(ValidationError) as refused:
        services.check_closed_years(administrator, span)
    assert refused.value.messages == ["Fiscal years 2012-2013 and 2014-2015 are closed: give the reason for correcting them."]
    with pytest.raises(ValidationError) as refused:
        services.check_closed_years(administrator, [(D(2012, 6, 1), D(2012, 7, 1))])
    assert refused.value.messages == ["Fiscal year 2012-2013 is closed: give the reason for correcting it."]
    with override("fr"):
        assert closed_year_message([FiscalYear(2012), FiscalYear(2014)]).startswith(
            "Les exercices 2012-2013 et 2014-2015 sont clos"
        )
        assert closed_year_message([FiscalYear(2012)]).startswith("L’exercice 2012-2013 est clos")


# --- Low: a closed year's rates and policy: reopen the year ---------------------------------


def test_an_administrators_change_of_a_closed_years_rate_or_policy_says_to_reopen_the_year(api, administrator):
    login(api, administrator)
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    response = api.patch(f"/api/v1/salary-rates/{rate.pk}/", {"annual_salary": 70000, "reason": "x"}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == 400
    text = str(response.json())
    assert REOPEN in text and "give the reason" not in text
    policy = CostingPolicy.objects.get(fiscal_year=2010)
    response = api.patch(f"/api/v1/costing-policies/{policy.pk}/", {"employee_benefits_rate": 0.25}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert REOPEN in str(response.json())
    response = api.post("/api/v1/salary-rates/", {"fiscal_year": 2010, "classification": "OTHER", "annual_salary": 50000},
                        format="json")
    assert response.status_code == 400
    assert REOPEN in str(response.json())
    assert SalaryRate.objects.get(pk=rate.pk).annual_salary == rate.annual_salary


def test_the_admin_page_of_a_closed_years_rate_says_to_reopen_the_year(client, administrator):
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    client.force_login(administrator)
    data = {"classification": "FB-04", "fiscal_year": "2010", "annual_salary": "70000.00"}
    response = client.post(reverse("admin:operations_salaryrate_change", args=[rate.pk]), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert REOPEN in text and "give the reason" not in text


def test_the_409_on_deleting_a_closed_years_rate_or_policy_says_to_reopen_the_year(api, administrator):
    login(api, administrator)
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    response = api.delete(f"/api/v1/salary-rates/{rate.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert REOPEN in detail and "ask an administrator" not in detail
    policy = CostingPolicy.objects.get(fiscal_year=2010)
    response = api.delete(f"/api/v1/costing-policies/{policy.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert REOPEN in response.json()["detail"]


def test_a_reopened_years_rate_can_be_changed(api, administrator):
    services.fiscal_year_reopen(fiscal_year=2010, actor=administrator, reason="Late rate")
    login(api, administrator)
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    response = api.patch(f"/api/v1/salary-rates/{rate.pk}/", {"annual_salary": 70000}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200

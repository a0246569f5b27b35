"""Issue #12: a closed fiscal year's coverage (Exhibit 5) holds still. A write of an
arrangement that changes which units it covered, or when it was in force, on days of a closed
year is refused but to an administrator giving a reason (recorded); every entry point."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements import services
from agreements.choices import ArrangementStatus as Status
from agreements.models import Arrangement
from agreements.selectors import coverage_report
from jfo_registry.core.concurrency import version_of
from operations.models import ClosedYearCorrection
from tests.api import login
from tests.conftest import make_jfo

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/api/v1/arrangements/{}/"


@pytest.fixture
def tadeu():
    arrangement = Arrangement.objects.get(reference="WCA-2006-TADEU")
    assert arrangement.status == Status.IN_FORCE and arrangement.effective_date < D(2010, 4, 1)
    return arrangement


def unit_ids(arrangement) -> list[int]:
    return sorted(arrangement.jfos.values_list("pk", flat=True))


def coverage_2010() -> dict:
    report = coverage_report(fiscal_year="2010-2011").as_data()
    return {key: value for key, value in report.items() if key not in ("as_of", "closed_on", "corrections")}


def test_a_manager_cannot_add_a_covered_unit_to_an_arrangement_in_force_in_the_closed_year(api, gta_manager, tadeu):
    added = make_jfo("GTA", start_date=D(2009, 4, 1))
    before = coverage_2010()
    response = login(api, gta_manager).patch(
        URL.format(tadeu.pk), {"jfos": [*unit_ids(tadeu), added.pk]}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert "Fiscal year 2010-2011 is closed: which units an arrangement covered then" in str(response.json())
    assert added.pk not in unit_ids(tadeu)
    assert coverage_2010() == before


def test_an_administrator_changes_a_closed_years_coverage_only_with_a_reason_which_is_recorded(api, administrator, tadeu):
    added = make_jfo("GTA")
    login(api, administrator)
    silent = api.patch(URL.format(tadeu.pk), {"jfos": [*unit_ids(tadeu), added.pk]}, format="json", HTTP_IF_MATCH="*")
    assert silent.status_code == 400
    assert "reason" in str(silent.json())
    response = api.patch(
        URL.format(tadeu.pk), {"jfos": [*unit_ids(tadeu), added.pk], "reason": "Annex B of 2006 covered it"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200
    assert "reason" not in response.json()  # write only
    assert added.pk in unit_ids(tadeu)
    assert list(ClosedYearCorrection.objects.filter(fiscal_year=2010).values_list("reason", flat=True)) == [
        "Annex B of 2006 covered it"
    ]


def test_writes_that_leave_the_closed_years_coverage_as_it_was_are_not_refused(api, gta_manager, tadeu):
    login(api, gta_manager)
    renamed = api.patch(URL.format(tadeu.pk), {"title": "Renamed today"}, format="json", HTTP_IF_MATCH="*")
    assert renamed.status_code == 200
    later = api.patch(URL.format(tadeu.pk), {"review_date": "2030-01-01"}, format="json", HTTP_IF_MATCH="*")
    assert later.status_code == 200
    assert not ClosedYearCorrection.objects.exists()


@pytest.mark.parametrize(
    ("before", "after", "spans"),
    [
        # termination keeps the period it counted as in force: nothing moves
        ((Status.IN_FORCE, D(2006, 5, 1), None), (Status.TERMINATED, D(2006, 5, 1), None), []),
        # an expiry brought forward: the days it no longer counts
        ((Status.IN_FORCE, D(2006, 5, 1), None), (Status.IN_FORCE, D(2006, 5, 1), D(2010, 12, 31)),
         [(D(2011, 1, 1), None)]),
        # an effective date moved later: the days between
        ((Status.IN_FORCE, D(2006, 5, 1), D(2012, 3, 31)), (Status.IN_FORCE, D(2010, 9, 1), D(2012, 3, 31)),
         [(D(2006, 5, 1), D(2010, 8, 31))]),
        # a draft signed into force from a day: every day from then
        ((Status.DRAFT, None, None), (Status.IN_FORCE, D(2010, 6, 1), None), [(D(2010, 6, 1), None)]),
        # a draft's dates: never counted
        ((Status.DRAFT, None, None), (Status.DRAFT, D(2010, 6, 1), None), []),
    ],
)
def test_the_days_whose_coverage_a_write_changes(before, after, spans):
    stored = Arrangement(status=before[0], effective_date=before[1], expiry_date=before[2])
    written = Arrangement(status=after[0], effective_date=after[1], expiry_date=after[2])
    assert services.coverage_change_spans(stored, written) == spans


def test_the_admin_refuses_an_unexplained_change_of_a_closed_years_coverage(client, administrator, tadeu):
    url = reverse("admin:agreements_arrangement_change", args=[tadeu.pk])
    form = {
        "reference": tadeu.reference, "title": tadeu.title, "kind": tadeu.kind, "status": tadeu.status,
        "signed_date": tadeu.signed_date or "", "effective_date": D(2011, 6, 1).isoformat(),
        "expiry_date": tadeu.expiry_date or "", "review_date": tadeu.review_date or "",
        "notice_period_days": tadeu.notice_period_days or "", "jfos": unit_ids(tadeu),
        "notes": tadeu.notes, "version": version_of(tadeu),
        **{f"{prefix}-{key}": value for prefix in ("parties", "condition_coverages", "documents", "gap_actions")
           for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    }
    client.force_login(administrator)
    response = client.post(url, form)
    assert response.status_code == 200
    assert "2010-2011" in response.content.decode()
    tadeu.refresh_from_db()
    assert tadeu.effective_date < D(2010, 4, 1)


@pytest.fixture
def draft_for_2010(db):
    arrangement = Arrangement.objects.create(reference="WCA-LATE-2010", title="Signed late")
    arrangement.jfos.set([make_jfo("GTA")])
    return arrangement


def test_putting_an_arrangement_in_force_from_a_closed_day_takes_an_administrators_reason_on_the_page(
    client, administrator, draft_for_2010
):
    url = reverse("agreements:arrangement-transition", args=[draft_for_2010.pk])
    client.force_login(administrator)
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    data = {"status": "in_force", "signed_date": "2010-05-01", "effective_date": "2010-06-01",
            "version": page.context["form"]["version"].value()}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "give the reason" in refused.content.decode()
    saved = client.post(url, {**data, "reason": "Signed in 2010, entered late"})
    assert saved.status_code == 302
    draft_for_2010.refresh_from_db()
    assert draft_for_2010.status == Status.IN_FORCE
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["Signed in 2010, entered late"]


def test_the_api_transition_takes_the_reason(api, administrator, draft_for_2010):
    login(api, administrator)
    url = f"/api/v1/arrangements/{draft_for_2010.pk}/transition/"
    body = {"status": "in_force", "signed_date": "2010-05-01", "effective_date": "2010-06-01"}
    assert api.post(url, body, format="json").status_code == 400
    assert api.post(url, {**body, "reason": "Signed in 2010"}, format="json").status_code == 200
    assert ClosedYearCorrection.objects.filter(fiscal_year=2010, reason="Signed in 2010").exists()


def test_a_managers_status_page_has_no_reason_field(client, gta_manager, draft_for_2010):
    client.force_login(gta_manager)
    page = client.get(reverse("agreements:arrangement-transition", args=[draft_for_2010.pk]))
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()

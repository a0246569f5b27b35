"""Pages: every page for every role, the assignment forms through the services, languages."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from jfo_registry import dashboard as dashboard_module
from jfo_registry.core.concurrency import version_of
from operations.models import Assignment, JointForceOperation, Officer
from tests.conftest import TEST_PASSWORD, count_queries, make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
D = datetime.date


def gta_unit():
    return JointForceOperation.objects.get(acronym="TADEU")


def pac_unit():
    return JointForceOperation.objects.get(acronym="BEST-PAC")


def read_pages():
    unit = gta_unit()
    officer = Officer.objects.filter(home_region__code="GTA").first()
    return [
        "/", "/?fiscal_year=2010", "/jfos/", "/jfos/?region=GTA&ordering=-current_fte", f"/jfos/{unit.pk}/",
        "/officers/", "/officers/?position=IO&ordering=name", f"/officers/{officer.pk}/",
        "/reports/resources/", "/reports/resources/?fiscal_year=2010&group_by=jfo_type",
        "/reports/tenure/?on=2011-03-31", "/reports/allocation/?fiscal_year=2010",
    ]


@pytest.mark.parametrize("role", ["administrator", "analyst", "gta_manager"])
def test_every_role_reads_every_page(client, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in read_pages():
        response = client.get(url)
        assert response.status_code == 200, url


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in read_pages():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url


def test_users_without_a_role_are_refused(client, no_role_user):
    client.force_login(no_role_user)
    for url in read_pages():
        assert client.get(url).status_code == 403, url


def test_sign_in_lands_on_the_dashboard(client, gta_manager):
    response = client.post("/accounts/login/", {"username": gta_manager.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert "Your regions: GTA." in page.content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_edit_pages_follow_region_rights(client, gta_manager, analyst):
    gta = make_assignment(officer=make_officer("GTA"), jfo=gta_unit())
    pac = make_assignment(officer=make_officer("PAC"), jfo=pac_unit())
    client.force_login(gta_manager)
    assert client.get(f"/jfos/{gta_unit().pk}/assignments/new/").status_code == 200
    assert client.get(f"/assignments/{gta.pk}/change/").status_code == 200
    assert client.get(f"/assignments/{gta.pk}/end/").status_code == 200
    assert client.get(f"/jfos/{pac_unit().pk}/assignments/new/").status_code == 403
    assert client.get(f"/assignments/{pac.pk}/change/").status_code == 403
    assert client.get(f"/assignments/{pac.pk}/end/").status_code == 403
    client.force_login(analyst)
    assert client.get(f"/jfos/{gta_unit().pk}/assignments/new/").status_code == 403
    assert client.get(f"/officers/{gta.officer.pk}/assignments/new/").status_code == 403


def test_edit_controls_show_only_where_the_user_may_edit(client, gta_manager):
    client.force_login(gta_manager)
    gta_page = client.get(f"/jfos/{gta_unit().pk}/").content.decode()
    pac_page = client.get(f"/jfos/{pac_unit().pk}/").content.decode()
    assert "Add an assignment" in gta_page and "/change/" in gta_page
    assert "Add an assignment" not in pac_page and "/change/" not in pac_page


def test_a_manager_adds_an_assignment_and_the_dashboard_fte_changes(client, gta_manager):
    client.force_login(gta_manager)
    before = client.get("/").context["dashboard"]["resources"]["subtotal"]["fte"]
    officer = make_officer("GTA")
    response = client.post(
        f"/jfos/{gta_unit().pk}/assignments/new/",
        {"officer": officer.employee_number, "fte": "0.50", "start_date": "2020-04-01", "end_date": "", "role": "IO", "notes": ""},
    )
    assert response.status_code == 302 and response["Location"] == f"/jfos/{gta_unit().pk}/"
    assert officer.assignments.get().fte == Decimal("0.50")
    after = client.get("/").context["dashboard"]["resources"]["subtotal"]["fte"]
    assert after == before + Decimal("0.50")


def test_an_over_allocation_shows_the_field_error_keeps_the_input_and_saves_nothing(client, gta_manager):
    client.force_login(gta_manager)
    existing = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), fte="0.50", start=D(2020, 4, 1))
    response = client.post(
        f"/jfos/{gta_unit().pk}/assignments/new/",
        {"officer": existing.officer.employee_number, "fte": "0.60", "start_date": "2021-01-01", "role": "Typed role"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_fte"' in html
    assert 'id="id_fte-error"' in html and "more than 1.00 FTE" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_fte-hint id_fte-error"' in html
    assert 'value="0.60"' in html and 'value="Typed role"' in html and 'value="2021-01-01"' in html
    assert existing.officer.assignments.count() == 1


def test_a_crafted_post_outside_the_region_is_refused_and_changes_nothing(client, gta_manager):
    client.force_login(gta_manager)
    pac = make_assignment(officer=make_officer("PAC"), jfo=pac_unit(), fte="0.50")
    response = client.post(f"/assignments/{pac.pk}/change/", {"fte": "0.10", "start_date": "2010-04-01"})
    assert response.status_code == 403
    pac.refresh_from_db()
    assert pac.fte == Decimal("0.50")
    before = Assignment.objects.count()
    response = client.post(
        f"/jfos/{pac_unit().pk}/assignments/new/",
        {"officer": make_officer("GTA").employee_number, "fte": "0.5", "start_date": "2020-04-01"},
    )
    assert response.status_code == 403 and Assignment.objects.count() == before
    # From an officer's page a manager may only pick units of their own regions.
    response = client.post(
        f"/officers/{make_officer('GTA').pk}/assignments/new/",
        {"jfo": pac_unit().acronym, "fte": "0.5", "start_date": "2020-04-01"},
    )
    assert response.status_code == 400 and "No open JFO unit of your regions" in response.content.decode()
    assert Assignment.objects.count() == before


def test_changing_and_ending_an_assignment(client, gta_manager):
    client.force_login(gta_manager)
    assignment = make_assignment(officer=make_officer("GTA"), jfo=gta_unit(), fte="0.50", start=D(2020, 4, 1))
    response = client.post(
        f"/assignments/{assignment.pk}/change/",
        # from its first day: the period itself changes (a later day starts a successor: test_effective_dating)
        {"fte": "0.75", "effective_from": "2020-04-01", "role": "Analyst", "version": version_of(assignment)},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.fte, assignment.role) == (Decimal("0.75"), "Analyst")
    version = version_of(assignment)
    response = client.post(f"/assignments/{assignment.pk}/end/", {"end_date": "", "version": version})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(f"/assignments/{assignment.pk}/end/", {"end_date": "2019-01-01", "version": version})
    assert response.status_code == 400
    response = client.post(f"/assignments/{assignment.pk}/end/", {"end_date": "2026-03-31", "version": version})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_date == D(2026, 3, 31)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_adding_from_the_officer_page(client, gta_manager):
    client.force_login(gta_manager)
    officer = make_officer("GTA")
    response = client.post(
        f"/officers/{officer.pk}/assignments/new/", {"jfo": "YYZ-INTEL", "fte": "1", "start_date": "2020-04-01"}
    )
    assert response.status_code == 302 and response["Location"] == f"/officers/{officer.pk}/"
    assert officer.assignments.get().jfo.acronym == "YYZ-INTEL"


def test_officer_allocation_over_time_shows_gaps_and_excess(client, analyst):
    client.force_login(analyst)
    officer = make_officer("GTA")
    make_assignment(officer=officer, fte="0.50", start=D(2019, 4, 1), end=D(2019, 12, 31))
    make_assignment(officer=officer, fte="0.80", start=D(2020, 4, 1))
    make_assignment(officer=officer, fte="0.40", start=D(2021, 1, 1), end=D(2021, 1, 31))  # around the service
    periods = client.get(f"/officers/{officer.pk}/").context["allocation"]
    assert [(p.start, p.end, p.total, p.state) for p in periods] == [
        (D(2019, 4, 1), D(2019, 12, 31), Decimal("0.50"), "partial"),
        (D(2020, 1, 1), D(2020, 3, 31), Decimal("0"), "gap"),
        (D(2020, 4, 1), D(2020, 12, 31), Decimal("0.80"), "partial"),
        (D(2021, 1, 1), D(2021, 1, 31), Decimal("1.20"), "excess"),
        (D(2021, 2, 1), None, Decimal("0.80"), "partial"),
    ]


@pytest.mark.parametrize("url", ["/jfos/", "/officers/", "/", "/reports/resources/?fiscal_year=2010",
                                 "/reports/tenure/?on=2011-03-31", "/reports/allocation/?fiscal_year=2010"])
def test_page_query_count_does_not_grow_with_rows(client, analyst, url):
    def cold():  # without cached figures, so the whole computation is counted
        cache.clear()
        client.get(url)

    client.force_login(analyst)
    client.get(url)
    first = count_queries(cold)
    for _ in range(8):
        unit = make_jfo("GTA")
        make_assignment(officer=make_officer("GTA"), jfo=unit, start=D(2010, 4, 1))
    assert count_queries(cold) == first


def test_the_dashboard_is_computed_once_and_recomputed_after_any_change(client, gta_manager, monkeypatch):
    computed = []
    compute = dashboard_module._dashboard
    monkeypatch.setattr(dashboard_module, "_dashboard", lambda **kwargs: computed.append(kwargs) or compute(**kwargs))
    cache.clear()
    client.force_login(gta_manager)
    before = client.get("/").context["dashboard"]["resources"]["subtotal"]["fte"]
    assert len(computed) == 1
    assert client.get("/").context["dashboard"]["resources"]["subtotal"]["fte"] == before
    assert len(computed) == 1  # the second view is served from the cache, not recomputed
    make_assignment(officer=make_officer("GTA"), jfo=gta_unit(), fte="0.25", start=D(2020, 4, 1))
    assert client.get("/").context["dashboard"]["resources"]["subtotal"]["fte"] == before + Decimal("0.25")
    assert len(computed) == 2  # the write changed a table's stamp: recomputed once


def test_lists_filter_sort_and_paginate(client, analyst):
    client.force_login(analyst)
    page = client.get("/jfos/", {"region": "GTA"})
    assert page.context["paginator"].count == 11
    page = client.get("/jfos/", {"ordering": "-current_fte", "region": "GTA"})
    fte = [unit.current_fte for unit in page.context["units"]]
    assert fte == sorted(fte, reverse=True) and fte[0] == Decimal("5.00")
    assert 'aria-sort="descending"' in page.content.decode()
    page = client.get("/jfos/", {"page": 2})
    assert len(page.context["units"]) == 25
    assert client.get("/jfos/", {"page": 99}).status_code == 404
    assert client.get("/jfos/", {"ordering": "secret_field"}).status_code == 200  # unknown sort: default order
    today = datetime.date.today()
    open_arrangements = JointForceOperation.objects.filter(
        arrangements__status="in_force", arrangements__effective_date__lte=today
    ).exclude(arrangements__expiry_date__lt=today).distinct().count()
    covered = client.get("/jfos/", {"covered": "true"}).context["paginator"].count
    assert covered == open_arrangements
    assert client.get("/jfos/", {"covered": "false"}).context["paginator"].count == 52 - covered
    assert client.get("/officers/", {"home_region": "PAC", "position": "CI"}).context["paginator"].count == 1


def test_french_pages_names_and_numbers(client, analyst):
    client.force_login(analyst)
    response = client.get("/language/fr/", {"next": "/reports/resources/?fiscal_year=2010"})
    assert response.status_code == 302 and response["Location"] == "/reports/resources/?fiscal_year=2010"
    assert response.cookies["django_language"].value == "fr"
    html = client.get("/reports/resources/", {"fiscal_year": "2010", "group_by": "region"}).content.decode()
    assert '<html lang="fr">' in html
    assert "Région du Grand Toronto" in html
    assert "1\u00a0177\u00a0109\u00a0$" in html and "17,5" in html
    assert "Rapport sur les ressources" in html
    html = client.get("/").content.decode()  # the choice is remembered
    assert "Tableau de bord" in html


def test_switching_language_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.get("/language/fr/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_report_page_error_and_csv_link(client, analyst):
    client.force_login(analyst)
    html = client.get("/reports/resources/", {"fiscal_year": "2012"}).content.decode()
    assert "No salary rate for FB-03, FB-04, FB-05 in 2012-2013" in html
    html = client.get("/reports/resources/", {"fiscal_year": "2010", "group_by": "jfo_type"}).content.decode()
    assert "/api/v1/reports/resources/?fiscal_year=2010&amp;group_by=jfo_type&amp;format=csv" in html
    assert "<svg" in html and "Integrated Border Enforcement Team" in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_stale_save_is_refused_and_shows_the_other_persons_change(client, gta_manager, administrator):
    assignment = make_assignment(officer=make_officer("GTA"), jfo=gta_unit(), fte="0.50", start=D(2020, 4, 1))
    client.force_login(gta_manager)
    loaded = client.get(f"/assignments/{assignment.pk}/change/").context["form"]["version"].value()
    # Meanwhile an administrator changes the FTE through the API.
    other = APIClient()
    other.force_authenticate(administrator)
    assert other.post(f"/api/v1/assignments/{assignment.pk}/change/", {"fte": 0.6, "effective_from": "2020-04-01"},
                      format="json", HTTP_IF_MATCH="*").status_code == 200
    response = client.post(
        f"/assignments/{assignment.pk}/change/",
        {"fte": "0.80", "effective_from": "2020-04-01", "role": "Mine", "version": loaded},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this record since you opened it" in html
    assert f"{administrator.username} at" in html and "0.50 → 0.60" in html
    assert 'value="0.80"' in html and 'value="Mine"' in html  # what the user typed is kept
    assignment.refresh_from_db()
    assert assignment.fte == Decimal("0.60") and assignment.role == ""
    # Saving again with the fresh version works.
    fresh = response.context["form"]["version"].value()
    assert fresh == loaded  # the form keeps what was posted...
    response = client.post(
        f"/assignments/{assignment.pk}/change/",
        {"fte": "0.80", "effective_from": "2020-04-01", "role": "Mine", "version": version_of(assignment)},
    )
    assert response.status_code == 302


def test_page_changes_are_recorded_with_user_and_entry_point(client, gta_manager):
    assignment = make_assignment(officer=make_officer("GTA"), jfo=gta_unit(), fte="0.50", start=D(2020, 4, 1))
    client.force_login(gta_manager)
    client.post(f"/assignments/{assignment.pk}/end/", {"end_date": "2030-03-31", "version": version_of(assignment)})
    record = assignment.history.latest()
    assert (record.history_user, record.history_change_reason, record.end_date) == (gta_manager, "page", D(2030, 3, 31))
    page = client.get(f"/jfos/{gta_unit().pk}/").content.decode()
    assert "End date: — →" in page and gta_manager.username in page

"""Issue 10, point 1: region rules hold for an arrangement's links (covered units, `supersedes`)
and for every record a write changes as a side effect (the predecessor put out of force, the
successor of a renewal), through the API, the pages and the admin. A GTA manager never changes
anything outside the GTA; administrators keep full power."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from agreements import services
from agreements.models import Arrangement, ArrangementParty, GapAction
from jfo_registry.core.concurrency import version_of
from operations import services as services_of_operations
from operations.models import Agency, JointForceOperation
from tests.api import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def open_2010_2011(db):
    """These tests are of the region rules, on arrangements in force since 2006: the seeded
    closed year is opened so that its own rule (tests/agreements/test_closed_year_coverage.py)
    does not answer first."""
    services_of_operations.fiscal_year_reopen(fiscal_year=2010, reason="Tests of other rules")


def unit(acronym: str) -> JointForceOperation:
    return JointForceOperation.objects.get(acronym=acronym)


def gta_wca() -> Arrangement:
    return Arrangement.objects.get(reference="WCA-2006-TADEU")


def wsc_wca() -> Arrangement:
    return Arrangement.objects.get(reference="WCA-2005-WPSIU")


def shared_draft() -> Arrangement:
    """Covers PWEU-GTA and PWEU-WSC: both regions' managers keep it current."""
    return Arrangement.objects.get(reference="WCA-DRAFT-PWEU")


def covered(arrangement: Arrangement) -> set[str]:
    return set(Arrangement.objects.get(pk=arrangement.pk).jfos.values_list("acronym", flat=True))


def snapshot(*arrangements: Arrangement) -> list:
    return [
        (Arrangement.objects.filter(pk=a.pk).values().get(), covered(a)) for a in arrangements
    ]


def patch(api, arrangement, payload):
    return api.patch(f"/api/v1/arrangements/{arrangement.pk}/", payload, format="json", HTTP_IF_MATCH="*")


def in_force(reference: str, *units: JointForceOperation, **fields) -> Arrangement:
    arrangement = Arrangement.objects.create(
        reference=reference, title=reference, status="in_force", signed_date=datetime.date(2012, 1, 1),
        effective_date=datetime.date(2012, 1, 1), **fields,
    )
    arrangement.jfos.set(units)
    return arrangement


# --- covered units (the jfos many-to-many) ------------------------------------------------------


@pytest.mark.parametrize(
    "units, message",
    [
        (["TADEU", "WPSIU"], "only add or remove units of your own regions, not: WPSIU"),
        (["WPSIU"], "only add or remove units of your own regions"),
        ([], "must keep at least one covered unit"),
    ],
    ids=["pulls-in-another-region", "moves-out-of-the-region", "orphans"],
)
def test_api_refuses_a_manager_changing_units_outside_their_region(api, gta_manager, units, message):
    login(api, gta_manager)
    arrangement = gta_wca()
    before = snapshot(arrangement)
    response = patch(api, arrangement, {"jfos": [unit(acronym).pk for acronym in units]})
    assert response.status_code == 403
    assert message in response.json()["detail"]
    assert snapshot(arrangement) == before


def test_api_lets_a_manager_add_and_remove_units_of_their_region(api, gta_manager):
    login(api, gta_manager)
    arrangement = gta_wca()
    response = patch(api, arrangement, {"jfos": [unit("TADEU").pk, unit("TFS").pk]})
    assert response.status_code == 200
    assert covered(arrangement) == {"TADEU", "TFS"}
    response = patch(api, arrangement, {"jfos": [unit("TFS").pk]})
    assert response.status_code == 200
    assert covered(arrangement) == {"TFS"}


def test_api_shared_arrangement_keeps_the_other_regions_units(api, gta_manager):
    login(api, gta_manager)
    arrangement = shared_draft()
    before = snapshot(arrangement)
    # Removing the other region's unit, or leaving only it (handing the arrangement to WSC).
    for units in (["PWEU-GTA"], ["PWEU-WSC"]):
        response = patch(api, arrangement, {"jfos": [unit(acronym).pk for acronym in units]})
        assert response.status_code == 403
    assert snapshot(arrangement) == before
    response = patch(api, arrangement, {"jfos": [unit("PWEU-GTA").pk, unit("PWEU-WSC").pk, unit("TFS").pk]})
    assert response.status_code == 200
    assert covered(arrangement) == {"PWEU-GTA", "PWEU-WSC", "TFS"}


def test_api_refuses_with_403_before_judging_the_rest_of_the_data(api, gta_manager):
    login(api, gta_manager)
    arrangement = gta_wca()
    before = snapshot(arrangement)
    response = patch(api, arrangement, {"jfos": [unit("WPSIU").pk], "status": "draft", "parties": []})
    assert response.status_code == 403
    assert snapshot(arrangement) == before
    assert ArrangementParty.objects.filter(arrangement=arrangement).exists()


def test_api_nested_lists_follow_the_arrangements_region(api, gta_manager):
    login(api, gta_manager)
    arrangement = wsc_wca()
    parties = list(ArrangementParty.objects.filter(arrangement=arrangement).values_list("agency_id", flat=True))
    response = patch(api, arrangement, {"jfos": [unit("TADEU").pk], "parties": []})
    assert response.status_code == 403
    assert list(ArrangementParty.objects.filter(arrangement=arrangement).values_list("agency_id", flat=True)) == parties
    assert covered(arrangement) == {"WPSIU"}


def test_administrators_change_any_units(api, administrator):
    login(api, administrator)
    arrangement = gta_wca()
    assert patch(api, arrangement, {"jfos": [unit("TADEU").pk, unit("WPSIU").pk]}).status_code == 200
    assert covered(arrangement) == {"TADEU", "WPSIU"}
    assert patch(api, arrangement, {"jfos": []}).status_code == 200
    assert covered(arrangement) == set()


# --- supersedes and its side effect --------------------------------------------------------------


def test_api_refuses_superseding_another_regions_arrangement(api, gta_manager):
    login(api, gta_manager)
    successor, other = gta_wca(), wsc_wca()
    before = snapshot(successor, other)
    response = patch(api, successor, {"supersedes": other.pk})
    assert response.status_code == 403
    assert "WCA-2005-WPSIU covers no unit of your regions" in response.json()["detail"]
    assert snapshot(successor, other) == before


def test_api_lets_a_manager_link_their_own_predecessor(api, gta_manager):
    login(api, gta_manager)
    draft = Arrangement.objects.create(reference="WCA-2013-TADEU", title="x")
    draft.jfos.set([unit("TADEU")])
    response = patch(api, draft, {"supersedes": gta_wca().pk})
    assert response.status_code == 200
    assert Arrangement.objects.get(pk=draft.pk).supersedes == gta_wca()


@pytest.fixture
def gta_draft_superseding_wsc(db):
    """A GTA draft whose predecessor (linked by an administrator) is the WSC's arrangement."""
    draft = Arrangement.objects.create(
        reference="WCA-2013-GTA", title="x", supersedes=wsc_wca(), signed_date=datetime.date(2013, 1, 1),
        effective_date=datetime.date(2013, 1, 1),
    )
    draft.jfos.set([unit("TADEU")])
    return draft


def test_api_transition_refuses_to_supersede_another_regions_arrangement(api, gta_manager, gta_draft_superseding_wsc):
    login(api, gta_manager)
    draft = gta_draft_superseding_wsc
    before = snapshot(draft, wsc_wca())
    response = api.post(f"/api/v1/arrangements/{draft.pk}/transition/", {"status": "in_force"}, format="json")
    assert response.status_code == 403
    assert "would supersede WCA-2005-WPSIU" in response.json()["detail"]
    response = patch(api, draft, {"status": "in_force"})
    assert response.status_code == 403
    assert snapshot(draft, wsc_wca()) == before
    assert Arrangement.objects.get(pk=wsc_wca().pk).status == "in_force"


def test_page_transition_refuses_to_supersede_another_regions_arrangement(client, gta_manager, gta_draft_superseding_wsc):
    client.force_login(gta_manager)
    draft = gta_draft_superseding_wsc
    before = snapshot(draft, wsc_wca())
    response = client.post(
        reverse("agreements:arrangement-transition", args=[draft.pk]),
        {"status": "in_force", "signed_date": "2013-01-01", "effective_date": "2013-01-01", "version": version_of(draft)},
    )
    assert response.status_code == 403
    assert snapshot(draft, wsc_wca()) == before


def test_administrator_puts_it_in_force_and_supersedes_the_predecessor(api, administrator, gta_draft_superseding_wsc):
    login(api, administrator)
    draft = gta_draft_superseding_wsc
    response = api.post(f"/api/v1/arrangements/{draft.pk}/transition/", {"status": "in_force"}, format="json")
    assert response.status_code == 200
    assert Arrangement.objects.get(pk=wsc_wca().pk).status == "superseded"


def test_a_manager_supersedes_their_own_predecessor(api, gta_manager):
    login(api, gta_manager)
    draft = Arrangement.objects.create(
        reference="WCA-2013-TADEU", title="x", supersedes=gta_wca(), signed_date=datetime.date(2013, 1, 1),
        effective_date=datetime.date(2013, 1, 1),
    )
    draft.jfos.set([unit("TADEU")])
    response = api.post(f"/api/v1/arrangements/{draft.pk}/transition/", {"status": "in_force"}, format="json")
    assert response.status_code == 200
    assert Arrangement.objects.get(pk=gta_wca().pk).status == "superseded"


# --- renewal --------------------------------------------------------------------------------------


@pytest.fixture
def shared_in_force(db):
    arrangement = in_force("WCA-2012-PWEU", unit("PWEU-GTA"), unit("PWEU-WSC"))
    ArrangementParty.objects.create(arrangement=arrangement, agency=Agency.objects.get(acronym="CBSA"))
    return arrangement


def test_api_renewal_refuses_carrying_another_regions_units(api, gta_manager, shared_in_force):
    login(api, gta_manager)
    count = Arrangement.objects.count()
    response = api.post(f"/api/v1/arrangements/{shared_in_force.pk}/renew/", {"reference": "WCA-2016-PWEU"}, format="json")
    assert response.status_code == 403
    assert "other regions (PWEU-WSC)" in response.json()["detail"]
    assert Arrangement.objects.count() == count
    assert not Arrangement.objects.filter(reference="WCA-2016-PWEU").exists()


def test_page_renewal_refuses_carrying_another_regions_units(client, gta_manager, shared_in_force):
    client.force_login(gta_manager)
    count = Arrangement.objects.count()
    response = client.post(reverse("agreements:arrangement-renew", args=[shared_in_force.pk]), {"reference": "WCA-2016-PWEU"})
    assert response.status_code == 403
    assert Arrangement.objects.count() == count


def test_page_offers_no_renewal_a_manager_could_not_make(client, gta_manager, shared_in_force):
    client.force_login(gta_manager)
    renew_url = reverse("agreements:arrangement-renew", args=[shared_in_force.pk])
    page = client.get(shared_in_force.get_absolute_url()).content.decode()
    assert renew_url not in page and "other regions (PWEU-WSC)" in page
    assert client.get(renew_url).status_code == 403
    own = client.get(gta_wca().get_absolute_url()).content.decode()
    assert reverse("agreements:arrangement-renew", args=[gta_wca().pk]) in own


def test_administrator_renews_a_shared_arrangement(api, administrator, shared_in_force):
    login(api, administrator)
    response = api.post(f"/api/v1/arrangements/{shared_in_force.pk}/renew/", {"reference": "WCA-2016-PWEU"}, format="json")
    assert response.status_code == 201
    assert set(response.json()["jfo_acronyms"]) == {"PWEU-GTA", "PWEU-WSC"}


# --- gap actions: their unit or arrangement is their region ---------------------------------------


def test_api_refuses_moving_a_gap_action_to_another_region(api, gta_manager):
    login(api, gta_manager)
    action = GapAction.objects.create(jfo=unit("TADEU"), action="Sign a WCA", owner="GTA", due_date="2027-01-01")
    before = GapAction.objects.filter(pk=action.pk).values().get()
    for payload in ({"jfo": unit("WPSIU").pk}, {"jfo": None, "arrangement": wsc_wca().pk}):
        response = api.patch(f"/api/v1/gap-actions/{action.pk}/", payload, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 403
    assert GapAction.objects.filter(pk=action.pk).values().get() == before
    count = GapAction.objects.count()
    response = api.post(
        "/api/v1/gap-actions/",
        {"arrangement": wsc_wca().pk, "action": "x", "owner": "y", "due_date": "2027-01-01"}, format="json",
    )
    assert response.status_code == 403
    assert GapAction.objects.count() == count


# --- the services, for every other caller ---------------------------------------------------------


def test_services_hold_the_rule_for_any_entry_point(gta_manager):
    arrangement = gta_wca()
    before = snapshot(arrangement)
    with pytest.raises(PermissionDenied):
        services.arrangement_save(arrangement, actor=gta_manager, jfos=[unit("WPSIU")])
    with pytest.raises(PermissionDenied):
        services.arrangement_save(Arrangement(reference="NEW-1", title="x"), actor=gta_manager, jfos=[unit("WPSIU")])
    with pytest.raises(PermissionDenied):
        services.arrangement_transition(arrangement=wsc_wca(), status="terminated", actor=gta_manager)
    assert snapshot(arrangement) == before
    assert not Arrangement.objects.filter(reference="NEW-1").exists()
    # The system (commands, data loading) is not a user: no region rule.
    services.arrangement_save(arrangement, jfos=[unit("WPSIU")])
    assert covered(arrangement) == {"WPSIU"}


# --- the admin ----------------------------------------------------------------------------------


def admin_form(arrangement: Arrangement, **changes) -> dict:
    data = {
        "reference": arrangement.reference, "title": arrangement.title, "kind": arrangement.kind,
        "status": arrangement.status, "signed_date": arrangement.signed_date or "",
        "effective_date": arrangement.effective_date or "", "supersedes": arrangement.supersedes_id or "",
        "jfos": list(arrangement.jfos.values_list("pk", flat=True)),
        "version": version_of(arrangement),
    }
    for prefix in ("parties", "condition_coverages", "documents", "gap_actions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data



def post_admin(client, arrangement, **changes):
    return client.post(reverse("admin:agreements_arrangement_change", args=[arrangement.pk]), admin_form(arrangement, **changes))


def test_admin_offers_a_staff_manager_only_their_regions_choices_and_those_already_made(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    form = client.get(reverse("admin:agreements_arrangement_change", args=[shared_draft().pk])).context["adminform"].form
    regions = set(form.fields["jfos"].queryset.values_list("region__code", flat=True))
    assert regions == {"GTA", "WSC"}  # WSC: only the unit already covered
    assert set(form.fields["jfos"].queryset.filter(region__code="WSC").values_list("acronym", flat=True)) == {"PWEU-WSC"}
    assert wsc_wca() not in form.fields["supersedes"].queryset and gta_wca() in form.fields["supersedes"].queryset


@pytest.mark.parametrize(
    "units, supersedes",
    [(["WPSIU"], False), (["TADEU", "WPSIU"], False), (["TADEU"], True)],
    ids=["moves-out", "pulls-in", "supersedes-another-region"],
)
def test_admin_refuses_a_staff_manager_choosing_outside_their_region(client, staff_gta_manager, units, supersedes):
    client.force_login(staff_gta_manager)
    arrangement, other = gta_wca(), wsc_wca()
    before = snapshot(arrangement, other)
    response = post_admin(
        client, arrangement, jfos=[unit(acronym).pk for acronym in units], supersedes=other.pk if supersedes else "",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert snapshot(arrangement, other) == before


@pytest.mark.parametrize(
    "arrangement, units",
    [(gta_wca, []), (shared_draft, ["PWEU-GTA"]), (shared_draft, ["PWEU-WSC"])],
    ids=["orphans", "removes-another-regions-unit", "hands-it-to-another-region"],
)
def test_admin_refuses_a_staff_manager_the_links_the_services_refuse(client, staff_gta_manager, arrangement, units):
    client.force_login(staff_gta_manager)
    arrangement = arrangement()
    before = snapshot(arrangement)
    response = post_admin(client, arrangement, jfos=[unit(acronym).pk for acronym in units])
    assert response.status_code == 403
    assert snapshot(arrangement) == before


def test_admin_lets_an_administrator_link_any_unit(client, administrator):
    client.force_login(administrator)
    arrangement = gta_wca()
    response = client.post(
        reverse("admin:agreements_arrangement_change", args=[arrangement.pk]),
        admin_form(arrangement, jfos=[unit("TADEU").pk, unit("WPSIU").pk]),
    )
    assert response.status_code == 302
    assert covered(arrangement) == {"TADEU", "WPSIU"}


@pytest.mark.parametrize(
    "admin_name, field",
    [("agreements_gapaction", "jfo"), ("agreements_gapaction", "arrangement"),
     ("agreements_conditioncoverage", "arrangement"), ("agreements_arrangementdocument", "arrangement")],
)
def test_admin_add_forms_offer_a_staff_manager_only_records_of_their_regions(client, staff_gta_manager, admin_name, field):
    client.force_login(staff_gta_manager)
    response = client.get(reverse(f"admin:{admin_name}_add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields[field].queryset
    outside = choices.exclude(pk__in=choices.model.objects.managed_by(staff_gta_manager).values("pk"))
    assert choices.exists() and not outside.exists()


def test_admin_officer_form_offers_a_staff_manager_only_their_regions(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    response = client.get(reverse("admin:operations_officer_add"))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields["home_region"].queryset.values_list("code", flat=True)) == {"GTA"}


def test_admin_autocomplete_offers_a_staff_manager_only_units_of_their_regions(client, staff_gta_manager):
    client.force_login(staff_gta_manager)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "operations", "model_name": "assignment", "field_name": "jfo", "term": "",
    })
    assert response.status_code == 200
    acronyms = {row["text"] for row in response.json()["results"]}
    gta = set(str(u) for u in JointForceOperation.objects.filter(region__code="GTA"))
    assert acronyms and acronyms <= gta


def test_admin_autocomplete_offers_an_administrator_every_unit(client, administrator):
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    client.force_login(administrator)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "operations", "model_name": "assignment", "field_name": "jfo", "term": "PWEU",
    })
    assert response.status_code == 200
    assert {"GTA", "WSC"} <= set(
        JointForceOperation.objects.filter(pk__in=[int(r["id"]) for r in response.json()["results"]])
        .values_list("region__code", flat=True)
    )

"""The agreements reports' CSVs (coverage, conditions, expiring, gaps): no cell is a formula."""

import datetime

import pytest

from agreements import selectors
from agreements.models import Arrangement, GapAction
from operations.models import JointForceOperation
from tests.api import login
from tests.formulas import PAYLOADS, assert_neutralised, csv_cells

pytestmark = pytest.mark.django_db
ON = datetime.date(2011, 3, 31)


@pytest.fixture
def formula_texts():
    """Six arrangements in force, expiring within 30 days, and six units with none, each with a
    gap action: references, titles, acronyms, names, actions and owners named like formulas (as
    an old import might have stored them)."""
    arrangements = list(selectors.arrangements_in_force(ON).order_by("reference")[: len(PAYLOADS)])
    units = list(
        JointForceOperation.objects.exclude(pk__in=selectors.arrangements_in_force(ON).values("jfos"))
        .order_by("acronym")[: len(PAYLOADS)]
    )
    assert len(arrangements) == len(units) == len(PAYLOADS)
    for payload, arrangement, unit in zip(PAYLOADS, arrangements, units):
        Arrangement.objects.filter(pk=arrangement.pk).update(
            reference=payload, title=payload, expiry_date=ON + datetime.timedelta(days=30)
        )
        JointForceOperation.objects.filter(pk=unit.pk).update(acronym=payload, name=payload)
        GapAction.objects.create(jfo=unit, action=payload, owner=payload, due_date=datetime.date(2011, 6, 1))


@pytest.mark.parametrize(
    ("report", "params"),
    [("coverage", {"on": ON}), ("conditions", {}), ("expiring", {"on": ON, "days": 90}), ("gaps", {"on": ON})],
)
def test_report_csvs_neutralise_text_that_would_start_a_formula(api, analyst, formula_texts, report, params):
    login(api, analyst)
    response = api.get(f"/api/v1/reports/{report}/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content))
    assert '"=HYPERLINK(\\"http://x\\",\\"y\\")"' in api.get(f"/api/v1/reports/{report}/", params).content.decode()

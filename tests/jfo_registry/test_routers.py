"""Report reads go to the replica when one is configured; writes always to the primary."""

import pytest
from django.db import connections

from agreements import selectors as agreement_selectors
from jfo_registry.core import routers
from operations import selectors
from operations.models import Assignment, Region

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")]
ROUTER = routers.ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    return settings


def test_without_a_replica_everything_uses_the_primary():
    assert ROUTER.db_for_read(Assignment) == "default"
    wrapped = routers.reports_read_from_replica(lambda: ROUTER.db_for_read(Assignment))
    assert wrapped() == "default"


def test_report_reads_go_to_the_replica_and_writes_to_the_primary(with_replica):
    assert ROUTER.db_for_read(Assignment) == "default"  # ordinary reads (lists, forms) stay on the primary
    seen = []
    wrapped = routers.reports_read_from_replica(
        lambda: seen.append((ROUTER.db_for_read(Assignment), ROUTER.db_for_write(Assignment)))
    )
    wrapped()
    assert seen == [("replica", "default")]
    assert ROUTER.db_for_read(Assignment) == "default"  # only for the report's duration
    assert ROUTER.allow_migrate("replica", "operations") is False and ROUTER.allow_migrate("default", "operations")


@pytest.mark.parametrize(
    "report",
    [
        lambda: selectors.resources_report("2010-2011", "region"),
        lambda: selectors.tenure_report(),
        lambda: selectors.allocation_report("2010"),
        lambda: agreement_selectors.coverage_report(fiscal_year="2010"),
        lambda: agreement_selectors.conditions_report(),
        lambda: agreement_selectors.expiring_report(),
        lambda: agreement_selectors.gaps_report(),
    ],
)
def test_every_report_selector_reads_from_the_replica(with_replica, monkeypatch, report):
    reads = []
    original = routers.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = original(self, model, **hints)
        reads.append(alias)
        return alias

    monkeypatch.setattr(routers.ReplicaRouter, "db_for_read", spy)
    # As a test MIRROR does: the replica alias shares the primary's connection (and its data).
    monkeypatch.setitem(connections.settings, "replica", connections.settings["default"])
    connections["replica"] = connections["default"]
    try:
        assert report()["report"]
    finally:
        del connections["replica"]
    assert reads and set(reads) == {"replica"}
    assert Region.objects.count() == 8  # outside the report: the primary

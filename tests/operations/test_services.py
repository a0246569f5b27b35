import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from operations import services
from operations.models import Assignment
from tests.conftest import make_assignment, make_jfo, make_officer

D = datetime.date
pytestmark = pytest.mark.django_db


def create(officer, jfo, fte, start, end=None):
    return services.assignment_create(officer=officer, jfo=jfo, fte=Decimal(fte), start_date=start, end_date=end)


def test_overlapping_assignments_above_one_fte_are_refused_with_days_and_units():
    officer = make_officer()
    first, second = make_jfo(), make_jfo()
    create(officer, first, "0.60", D(2010, 4, 1), D(2011, 3, 31))
    with pytest.raises(ValidationError) as refused:
        create(officer, second, "0.50", D(2011, 1, 1), D(2011, 6, 30))
    message = refused.value.message_dict["fte"][0]
    assert "2011-01-01" in message and "2011-03-31" in message
    assert first.acronym in message and second.acronym in message
    assert "1.10" in message
    assert Assignment.objects.filter(officer=officer).count() == 1


def test_assignments_summing_to_exactly_one_are_accepted():
    officer = make_officer()
    create(officer, make_jfo(), "0.60", D(2010, 4, 1))
    create(officer, make_jfo(), "0.40", D(2010, 4, 1))
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_touching_assignments_are_accepted():
    officer = make_officer()
    create(officer, make_jfo(), "1.00", D(2010, 4, 1), D(2010, 9, 30))
    create(officer, make_jfo(), "1.00", D(2010, 10, 1), None)
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_sharing_a_single_day_is_refused():
    officer = make_officer()
    create(officer, make_jfo(), "1.00", D(2010, 4, 1), D(2010, 9, 30))
    with pytest.raises(ValidationError, match="on 2010-09-30"):
        create(officer, make_jfo(), "0.10", D(2010, 9, 30), None)


def test_an_ongoing_assignment_counts_forever():
    officer = make_officer()
    create(officer, make_jfo(), "0.80", D(2001, 1, 1), None)
    with pytest.raises(ValidationError, match="from 2030-01-01 on"):
        create(officer, make_jfo(), "0.30", D(2030, 1, 1), None)


def test_a_new_assignment_ending_before_an_ongoing_one_starts_is_accepted():
    officer = make_officer()
    create(officer, make_jfo(), "1.00", D(2012, 1, 1), None)
    create(officer, make_jfo(), "1.00", D(2010, 1, 1), D(2011, 12, 31))


def test_changing_an_assignment_is_checked_against_the_others_only():
    officer = make_officer()
    kept = create(officer, make_jfo(), "0.50", D(2010, 4, 1))
    changed = create(officer, make_jfo(), "0.50", D(2010, 4, 1))
    services.assignment_update(assignment=changed, fte=Decimal("0.50"), role="Analyst")  # same FTE: fine
    with pytest.raises(ValidationError):
        services.assignment_update(assignment=changed, fte=Decimal("0.60"))
    changed.refresh_from_db()
    assert changed.fte == Decimal("0.50") and kept.fte == Decimal("0.50")


def test_excess_made_of_three_assignments_names_all_three():
    officer = make_officer()
    a, b, c = make_jfo(), make_jfo(), make_jfo()
    create(officer, a, "0.40", D(2010, 4, 1), D(2010, 12, 31))
    create(officer, b, "0.40", D(2010, 7, 1), None)
    with pytest.raises(ValidationError) as refused:
        create(officer, c, "0.30", D(2010, 1, 1), None)
    message = refused.value.message_dict["fte"][0]
    assert f"1.10 FTE from 2010-07-01 to 2010-12-31 ({a.acronym} 0.40, {b.acronym} 0.40, {c.acronym} 0.30)" in message


def test_model_rules_come_first():
    officer = make_officer()
    with pytest.raises(ValidationError) as refused:
        create(officer, make_jfo(), "1.50", D(2010, 4, 1))
    assert "fte" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        create(officer, make_jfo(), "0.50", D(2010, 4, 1), D(2010, 3, 1))
    assert "end_date" in refused.value.message_dict


def test_ending_an_assignment():
    assignment = make_assignment(start=D(2010, 4, 1))
    services.assignment_end(assignment=assignment, end_date=D(2011, 3, 31))
    assignment.refresh_from_db()
    assert assignment.end_date == D(2011, 3, 31)
    with pytest.raises(ValidationError):
        services.assignment_end(assignment=assignment, end_date=D(2009, 1, 1))
    with pytest.raises(ValidationError):
        services.assignment_end(assignment=assignment, end_date=None)


def test_update_refuses_unknown_fields():
    assignment = make_assignment()
    with pytest.raises(ValidationError):
        services.assignment_update(assignment=assignment, created=None)


def test_over_allocations_sweep_merges_runs_and_reports_open_ended_excess():
    officer = make_officer()
    a = Assignment(officer=officer, jfo=make_jfo(), fte=Decimal("0.7"), start_date=D(2010, 1, 1))
    b = Assignment(officer=officer, jfo=make_jfo(), fte=Decimal("0.7"), start_date=D(2010, 6, 1), end_date=D(2010, 6, 30))
    c = Assignment(officer=officer, jfo=make_jfo(), fte=Decimal("0.7"), start_date=D(2011, 1, 1))
    runs = services.over_allocations([a, b, c])
    assert [(r.start, r.end, r.total) for r in runs] == [
        (D(2010, 6, 1), D(2010, 6, 30), Decimal("1.4")),
        (D(2011, 1, 1), None, Decimal("1.4")),
    ]

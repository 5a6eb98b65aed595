"""补交 (supplying a missing material) with the wrong target: a material that is no gap of the case,
a gap whose deadline has passed, a gap of a terminated case. Each is refused with a clear message
and nothing is stored."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from onevisit.cases import services, tolerance
from onevisit.cases.models import CaseGap, SuppliedMaterial
from onevisit.cases.tests.conftest import PDF

from .test_tolerance import _file_with_gap

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def accepted(two_step_item, alice):
    return services.case_accept(actor="clerk", case=_file_with_gap(two_step_item, alice))


def _supply(case, gap_id):
    tolerance.gap_supply(
        actor="applicant", case=case, gap_id=gap_id, stream=io.BytesIO(PDF), name="租赁合同.pdf"
    )


def _nothing_stored(case):
    assert not SuppliedMaterial.objects.filter(case=case, source="upload").exists()
    assert CaseGap.objects.get(case=case).supplied_at is None


def test_a_material_that_is_no_gap_of_the_case_is_refused(accepted, two_step_item):
    gap = accepted.gaps.get()
    other = two_step_item.current_version.materials.exclude(code="lease").first()
    # The id of another material (never the gap's own id), and ids of nothing at all.
    wrong_ids = [i for i in (other.pk, other.pk + 1000, 0, -1, 10**9) if i != gap.pk]
    for wrong in wrong_ids:
        with pytest.raises(ValidationError, match="not missing from this case"):
            _supply(accepted, wrong)
    _nothing_stored(accepted)


def test_a_gap_past_its_deadline_is_refused(accepted):
    CaseGap.objects.filter(case=accepted).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="deadline for this material has passed"):
        _supply(accepted, accepted.gaps.get().pk)
    _nothing_stored(accepted)


def test_a_gap_of_a_terminated_case_is_refused(accepted):
    tolerance.case_terminate(actor="system", case=accepted, reason="test")
    with pytest.raises(ValidationError):
        _supply(accepted, accepted.gaps.get().pk)
    _nothing_stored(accepted)

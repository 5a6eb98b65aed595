import pytest

from onevisit.demo.loader import load_demo
from onevisit.org.models import StaffRole

pytestmark = pytest.mark.django_db


def test_the_demo_clerk_works_at_the_hangzhou_citizen_centre(db):
    load_demo(verbosity=0)
    roles = StaffRole.objects.filter(user__username="clerk", role="clerk")
    assert roles.exists() and {r.center.code for r in roles} == {"HZ-SMZJ"}

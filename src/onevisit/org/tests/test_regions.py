import pytest
from django.core.exceptions import ValidationError

from onevisit.org.models import Region, region_clean

pytestmark = pytest.mark.django_db


def test_valid_codes_pass(region):
    region_clean(code="330106001", level=5, parent=Region.objects.get(code="330106"))
    region_clean(code="330110", level=4, parent=region)


@pytest.mark.parametrize(
    ("code", "level", "parent_code", "field"),
    [
        ("33010", 4, "330100", "code"),
        ("3301O6", 4, "330100", "code"),
        ("330106", 5, "330106", "code"),
        ("330106001", 4, "330100", "code"),
        ("340106", 4, "330100", "code"),
        ("330000", 2, "330100", "parent"),
        ("'; DROP", 4, "330100", "code"),
    ],
)
def test_wrong_codes_get_clear_messages(region, code, level, parent_code, field):
    with pytest.raises(ValidationError) as info:
        region_clean(code=code, level=level, parent=Region.objects.get(code=parent_code))
    assert field in info.value.message_dict

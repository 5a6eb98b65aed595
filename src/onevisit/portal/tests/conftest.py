import pytest

from onevisit.identity.tests.conftest import acme, alice, bob, send_code, sms_outbox  # noqa: F401

from .applying import CODE, FORM


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files land in a temporary folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(make_item):
    """食品经营许可: a two-page form, a material from shared data (免提交) and one to upload."""
    return make_item(code=CODE, name="食品经营许可", form=FORM)

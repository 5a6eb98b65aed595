"""`onevisit signing_keys`: reports what is missing; --demo makes a demo CA and department keys.
Without demo keys switched on, a missing key stops the issuance with a message naming the file."""

import pytest
from django.core.management import CommandError, call_command

from onevisit.certificates import signing
from onevisit.certificates.models import Certificate
from onevisit.org.models import Department

from .conftest import SENIOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_dir(settings, tmp_path):
    settings.ONEVISIT_SIGNING_DIR = tmp_path / "keys"
    settings.ONEVISIT_SIGNING_DEMO_KEYS = False
    return tmp_path / "keys"


def test_without_demo_the_command_lists_the_missing_files(empty_dir, departments, capsys):
    with pytest.raises(CommandError):
        call_command("signing_keys")
    out = capsys.readouterr().out
    assert "ca.pem" in out and "330100-SCJG.key" in out and "330100-GA.sm2.pub" in out
    assert not empty_dir.exists() or not any(empty_dir.iterdir())


def test_demo_makes_the_ca_and_every_departments_keys_once(empty_dir, departments, capsys):
    call_command("signing_keys", demo=True)
    assert (empty_dir / "ca.pem").exists() and (empty_dir / "DEMO").exists()
    for code in ("330100-SCJG", "330100-GA"):
        for suffix in (".pem", ".key", ".sm2.key", ".sm2.pub"):
            assert (empty_dir / "departments" / f"{code}{suffix}").exists()
    ca = (empty_dir / "ca.pem").read_bytes()
    call_command("signing_keys", demo=True)
    assert (empty_dir / "ca.pem").read_bytes() == ca  # nothing is made twice
    call_command("signing_keys")
    assert "demo CA and keys for all 2 departments" in capsys.readouterr().out


def test_the_department_certificate_allows_non_repudiation(empty_dir, departments):
    from cryptography import x509

    signing.demo_keys_create(departments=[departments["scjg"]])
    cert = x509.load_pem_x509_certificate((empty_dir / "departments" / "330100-SCJG.pem").read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature
    assert "市场监督管理局" in cert.subject.rfc4514_string()


def test_a_missing_key_stops_the_issuance_and_names_the_file(empty_dir, issue, alice):
    with pytest.raises(signing.SigningKeyMissing) as info:
        issue(person=alice.person, data=SENIOR)
    assert "330100-GA.key" in str(info.value)
    assert not Certificate.objects.exists()


def test_keys_are_not_made_under_a_ca_that_is_not_a_demo_ca(empty_dir, departments):
    signing.demo_keys_create(departments=[departments["scjg"]])
    (empty_dir / "ca.key").unlink()  # production: the CA's key is never here
    (empty_dir / "DEMO").unlink()
    assert not signing.is_demo_ca()
    with pytest.raises(signing.SigningKeyMissing):
        signing.demo_keys_create(departments=[departments["ga"]])
    with pytest.raises(CommandError):
        call_command("signing_keys", demo=True)
    signing.department_keys(departments["scjg"])  # existing keys still load


def test_a_department_code_that_could_escape_the_folder_is_refused(empty_dir, region):
    evil = Department(code="../../etc", name="x", region=region)
    with pytest.raises(signing.SigningKeyMissing):
        signing.department_keys(evil)
    assert signing.sm2_trusted_keys("../../etc") == set()


def test_production_keys_are_read_from_pem_files(empty_dir, departments, issue, alice, settings, tmp_path):
    """Keys installed by an operator (here copied from a demo set, without the CA key) sign and verify."""
    import shutil

    signing.demo_keys_create(departments=Department.objects.all())
    installed = tmp_path / "installed"
    shutil.copytree(empty_dir, installed, ignore=shutil.ignore_patterns("ca.key", "DEMO", ".lock"))
    settings.ONEVISIT_SIGNING_DIR = installed
    from onevisit.certificates.selectors import certificate_check

    check = certificate_check(issue(person=alice.person, data=SENIOR))
    assert check.pdf_signature_ok and check.sm2_ok


def test_deployment_checks_warn_about_demo_keys_and_a_local_address(empty_dir, departments, settings):
    from django.core import checks

    settings.ONEVISIT_SITE_URL = "https://zwfw.example.gov.cn"
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert not ids & {"certificates.W001", "certificates.W002", "certificates.W003"}
    signing.demo_keys_create(departments=[])
    settings.ONEVISIT_SITE_URL = "http://localhost:8000"
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert {"certificates.W001", "certificates.W003"} <= ids

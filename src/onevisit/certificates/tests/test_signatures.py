"""Both signatures of a certificate: PAdES over the PDF (pyHanko and poppler's pdfsig as independent
verifiers) and SM2 over the canonical data (gmssl, cross-checked with OpenSSL 3); each fails after
tampering."""

import shutil
import subprocess

import pytest
from asn1crypto import algos, keys

from onevisit.certificates import signing
from onevisit.certificates.models import Certificate
from onevisit.certificates.selectors import certificate_check, pdf_bytes
from onevisit.certificates.services import canonical_data

pytestmark = pytest.mark.django_db


def test_a_fresh_certificate_passes_both_checks(issue, alice):
    check = certificate_check(issue(person=alice.person))
    assert (check.status, check.pdf_signature_ok, check.sm2_ok) == ("valid", True, True)


def test_the_pdf_signature_verifies_with_pyhanko_against_the_ca_and_fails_after_one_changed_byte(issue, acme):
    certificate = issue(org=acme)
    data = pdf_bytes(certificate)
    assert signing.pades_verify(data)
    position = data.index(b"/Title")  # a byte inside the signed range
    tampered = data[:position] + b"/Titlf" + data[position + 6 :]
    assert not signing.pades_verify(tampered)
    assert not signing.pades_verify(data[: len(data) // 2])  # truncated
    assert not signing.pades_verify(b"%PDF-1.4 not really a pdf")


def test_a_stored_pdf_replaced_by_another_signed_certificate_fails_the_check(issue, alice, bob, settings):
    mine = issue(person=alice.person)
    other = issue(person=bob.person)
    with open(mine.pdf.path, "wb") as handle:
        handle.write(pdf_bytes(other))  # validly signed, but not the one issued for this number
    assert certificate_check(Certificate.objects.get(pk=mine.pk)).pdf_signature_ok is False


def test_a_missing_pdf_file_fails_the_check_without_an_error(issue, alice):
    certificate = issue(person=alice.person)
    certificate.pdf.storage.delete(certificate.pdf.name)
    assert certificate_check(certificate).pdf_signature_ok is False


def test_a_signature_from_another_ca_is_not_trusted(issue, alice, tmp_path, settings):
    data = pdf_bytes(issue(person=alice.person))
    settings.ONEVISIT_SIGNING_DIR = tmp_path / "other"
    signing.demo_keys_create(departments=[])  # a different demo CA
    assert not signing.pades_verify(data)


def test_poppler_pdfsig_says_the_signature_is_valid_and_invalid_after_tampering(issue, acme, tmp_path):
    if not shutil.which("pdfsig"):
        pytest.skip("pdfsig (poppler-utils) is not installed")
    data = pdf_bytes(issue(org=acme))
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(data)
    position = data.index(b"/Title")
    bad.write_bytes(data[:position] + b"/Titlf" + data[position + 6 :])
    # pdfsig exits 0 either way: read its lines (its trust store is empty, so the issuer is "not trusted").
    assert (
        "Signature Validation: Signature is Valid."
        in subprocess.run(["pdfsig", str(good)], capture_output=True, text=True).stdout
    )
    assert (
        "Signature is Valid."
        not in subprocess.run(["pdfsig", str(bad)], capture_output=True, text=True).stdout
    )


def test_sm2_fails_when_the_data_changes(issue, alice):
    certificate = issue(person=alice.person)
    certificate.data = {**certificate.data, "residence": "别处"}
    assert certificate_check(certificate).sm2_ok is False
    fresh = Certificate.objects.get(pk=certificate.pk)
    fresh.valid_until = fresh.valid_from  # a changed validity
    assert certificate_check(fresh).sm2_ok is False
    fresh = Certificate.objects.get(pk=certificate.pk)
    fresh.sm2_signature = fresh.sm2_signature[:-1] + ("0" if fresh.sm2_signature[-1] != "0" else "1")
    assert certificate_check(fresh).sm2_ok is False
    fresh.sm2_signature = "not hex"
    assert certificate_check(fresh).sm2_ok is False


def test_sm2_needs_a_key_the_issuer_holds(issue, alice):
    """A forger who re-signs changed data with their own key and stores that key fails the check."""
    certificate = issue(person=alice.person)
    certificate.data = {**certificate.data, "residence": "别处"}
    private, public = signing.sm2_keypair()
    certificate.sm2_public_key = public
    certificate.sm2_signature = signing.sm2_sign(
        canonical_data(certificate), private_key=private, public_key=public
    )
    assert signing.sm2_verify(canonical_data(certificate), certificate.sm2_signature, public)
    assert certificate_check(certificate).sm2_ok is False


def test_a_retired_sm2_key_still_verifies_old_certificates(issue, alice, departments, signing_keys):
    certificate = issue(person=alice.person)
    folder = signing_keys / "departments"
    (folder / "retired").mkdir(exist_ok=True)
    code = departments["ga"].code
    (folder / "retired" / f"{code}.2026.sm2.pub").write_text(certificate.sm2_public_key)
    _private, public = signing.sm2_keypair()
    current = (folder / f"{code}.sm2.pub").read_text()
    (folder / f"{code}.sm2.pub").write_text(public)
    try:
        assert certificate_check(certificate).sm2_ok is True
    finally:
        (folder / f"{code}.sm2.pub").write_text(current)
        (folder / "retired" / f"{code}.2026.sm2.pub").unlink()


def test_sm2_keys_never_start_with_04_and_private_keys_are_private(departments, signing_keys):
    for _ in range(300):
        private, public = signing.sm2_keypair()
        assert len(private) == 64 and len(public) == 128 and not public.startswith("04")
    keys_ = signing.department_keys(departments["scjg"])
    assert (signing_keys / "departments" / "330100-SCJG.key").stat().st_mode & 0o077 == 0
    assert (signing_keys / "departments" / "330100-SCJG.sm2.key").stat().st_mode & 0o077 == 0
    assert keys_.sm2_public == (signing_keys / "departments" / "330100-SCJG.sm2.pub").read_text().strip()


def test_the_sm2_signature_verifies_with_openssl(issue, alice, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    certificate = issue(person=alice.person)
    point = bytes.fromhex("04" + certificate.sm2_public_key)
    info = keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "ec",
                "parameters": keys.ECDomainParameters(name="named", value="1.2.156.10197.1.301"),
            },
            "public_key": point,
        }
    )
    import base64

    pem = (
        "-----BEGIN PUBLIC KEY-----\n"
        + base64.encodebytes(info.dump()).decode()
        + "-----END PUBLIC KEY-----\n"
    )
    (tmp_path / "pub.pem").write_text(pem)
    r, s = int(certificate.sm2_signature[:64], 16), int(certificate.sm2_signature[64:], 16)
    (tmp_path / "sig.der").write_bytes(algos.DSASignature({"r": r, "s": s}).dump())
    (tmp_path / "msg").write_bytes(canonical_data(certificate))
    command = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(tmp_path / "pub.pem"),
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        str(tmp_path / "msg"),
        "-sigfile",
        str(tmp_path / "sig.der"),
        "-pkeyopt",
        "distid:1234567812345678",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if "unknown" in done.stderr.lower() or "not supported" in done.stderr.lower():
        pytest.skip(f"this OpenSSL cannot verify SM2: {done.stderr[:200]}")
    assert "Signature Verified Successfully" in done.stdout, done.stderr
    (tmp_path / "msg").write_bytes(canonical_data(certificate) + b" ")
    assert (
        "Signature Verified Successfully"
        not in subprocess.run(command, capture_output=True, text=True).stdout
    )


def test_canonical_data_is_sorted_json_of_the_signed_fields(issue, alice):
    import json

    certificate = issue(person=alice.person)
    payload = json.loads(canonical_data(certificate))
    assert list(payload) == sorted(payload)
    assert set(payload) == {
        "number",
        "type",
        "holder",
        "data",
        "issuer",
        "valid_from",
        "valid_until",
        "provisional",
    }
    assert payload["holder"] == {"kind": "person", "id": "330106199002153619"}


def test_signing_and_checking_work_inside_a_running_event_loop(issue, alice, departments):
    """pyHanko runs on asyncio; an ASGI worker or Playwright's test thread already runs a loop."""
    import asyncio
    import io

    from reportlab.pdfgen.canvas import Canvas

    data = pdf_bytes(issue(person=alice.person))
    keys_ = signing.department_keys(departments["ga"])
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "hello")
    canvas.save()

    async def inside_a_loop():
        signed = signing.pades_sign(buffer.getvalue(), keys_, reason="r", location="l")
        return signing.pades_verify(data), signing.pades_verify(signed)

    assert asyncio.run(inside_a_loop()) == (True, True)


def test_pdfsig_trusts_the_signer_through_an_nss_database_with_the_ca(issue, acme, tmp_path):
    """An independent verifier that trusts only the CA: poppler's pdfsig with an NSS database."""
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip("pdfsig (poppler-utils) or certutil (libnss3-tools) is not installed")
    data = pdf_bytes(issue(org=acme))
    good = tmp_path / "good.pdf"
    good.write_bytes(data)
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True
    )
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo-ca", "-t", "C,C,C", "-a", "-i", str(signing.key_dir() / "ca.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(good)], capture_output=True, text=True
    ).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Certificate Validation: Certificate is Trusted." in out

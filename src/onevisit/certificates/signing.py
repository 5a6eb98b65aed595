"""Signing keys and signatures of certificates.

Two signatures protect each certificate:

- the PDF is signed as PAdES (pyHanko) with the issuing department's X.509 key, which a CA issued;
  any PDF reader and ``pdfsig`` can check it;
- the certificate's canonical data is signed with the department's SM2 key (国密, SM3 digest, via
  gmssl), so the record can be checked without the PDF.

The keys live in ``settings.ONEVISIT_SIGNING_DIR``::

    ca.pem                       the CA certificate(s) that verification trusts (a PEM bundle is fine)
    ca.key, DEMO                 only for a demo CA: its key, and a marker that it is one
    departments/<code>.pem       the department's certificate (key usage: non-repudiation)
    departments/<code>.key       its private key (PEM, unencrypted, mode 0600)
    departments/<code>.sm2.key   its SM2 private key (64 hex digits)
    departments/<code>.sm2.pub   its SM2 public key (X‖Y, 128 hex digits, no 04 prefix)
    departments/retired/<code>.<anything>.sm2.pub   earlier SM2 public keys, still trusted for checks

Production puts PEM files there (``onevisit signing_keys`` reports what is missing). The demo and
the tests create a demo CA and department keys (``onevisit signing_keys --demo``, ``loaddemo``, or
on first use when ``ONEVISIT_SIGNING_DEMO_KEYS`` is on). Loaded keys stay cached per process.

gmssl has no key generation, draws its default nonce from ``random`` and strips a leading "04" from
any public key: keys are made here from ``secrets``, every nonce comes from ``secrets``, and a key
whose X starts with 04 is never made.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import fcntl
import functools
import hashlib
import io
import logging
import os
import re
import secrets
from collections.abc import Coroutine, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from gmssl import sm2

from onevisit.org.models import Department

logger = logging.getLogger(__name__)

SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
HEX128 = re.compile(r"^[0-9a-f]{128}$")
SM2_N = int(sm2.default_ecc_table["n"], 16)
SM2_G = sm2.default_ecc_table["g"]
CA_YEARS = 20
DEPARTMENT_YEARS = 10


class SigningKeyMissing(ImproperlyConfigured):
    """A key or certificate the signing needs is not in the key directory."""


@dataclass(frozen=True)
class DepartmentKeys:
    code: str
    signer: Any  # pyhanko.sign.signers.SimpleSigner
    sm2_private: str
    sm2_public: str
    fingerprint: str  # SHA-256 of the department certificate (DER)


def key_dir() -> Path:
    return Path(settings.ONEVISIT_SIGNING_DIR)


def _department_dir(base: Path) -> Path:
    return base / "departments"


def _paths(base: Path, code: str) -> dict[str, Path]:
    if not SAFE_CODE.match(code):
        raise SigningKeyMissing(f"department code {code!r} cannot name a key file")
    folder = _department_dir(base)
    return {
        "cert": folder / f"{code}.pem",
        "key": folder / f"{code}.key",
        "sm2_key": folder / f"{code}.sm2.key",
        "sm2_pub": folder / f"{code}.sm2.pub",
    }


# --- files ---------------------------------------------------------------------------------------


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    """Write atomically (a reader sees the old file or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


@contextmanager
def _locked(base: Path) -> Iterator[None]:
    """One process at a time creates keys (the web server and the worker may both try)."""
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- key making (demo) ----------------------------------------------------------------------------


def sm2_keypair() -> tuple[str, str]:
    """A new SM2 key pair as (private, public) hex; the private key drawn from ``secrets``."""
    while True:
        d = secrets.randbelow(SM2_N - 2) + 1
        private = f"{d:064x}"
        public = sm2.CryptSM2(private_key=private, public_key="")._kg(d, SM2_G)
        # gmssl strips a leading "04" as if it were the uncompressed-point prefix.
        if public and HEX128.match(public) and not public.startswith("04"):
            return private, public


def _name(common_name: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "onevisit demo"),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,  # non-repudiation: pyHanko refuses a signer without it
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _ca_create(base: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = _name("onevisit 演示证照签发CA (demo CA)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(base / "ca.key", _pem_key(key), secret=True)
    _write(base / "DEMO", b"This CA is a demo CA made by onevisit. Never trust it outside a demo.\n")
    _write(base / "ca.pem", cert.public_bytes(serialization.Encoding.PEM))


def _department_create(base: Path, department: Department) -> None:
    ca_key_path = base / "ca.key"
    if not ca_key_path.exists():
        raise SigningKeyMissing(f"{ca_key_path} is missing: only a demo CA can make department keys here")
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise SigningKeyMissing(f"{ca_key_path} is not an EC key")
    ca_cert = x509.load_pem_x509_certificate((base / "ca.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(department.full_name, department.code))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * DEPARTMENT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = _paths(base, department.code)
    private, public = sm2_keypair()
    _write(paths["key"], _pem_key(key), secret=True)
    _write(paths["sm2_key"], private.encode() + b"\n", secret=True)
    _write(paths["sm2_pub"], public.encode() + b"\n")
    _write(paths["cert"], cert.public_bytes(serialization.Encoding.PEM))


def _complete(base: Path, code: str) -> bool:
    return all(p.exists() for p in _paths(base, code).values())


def is_demo_ca(base: Path | None = None) -> bool:
    base = base or key_dir()
    return (base / "DEMO").exists() and (base / "ca.key").exists()


def demo_keys_create(*, departments: Iterable[Department]) -> list[str]:
    """Create a demo CA (if there is no CA) and keys for every department that lacks them; return the
    codes of the departments given keys. Refuses to add departments under a CA that is not a demo CA."""
    base = key_dir()
    created: list[str] = []
    with _locked(base):
        if not (base / "ca.pem").exists():
            _ca_create(base)
        for department in departments:
            if _complete(base, department.code):
                continue
            if not is_demo_ca(base):
                raise SigningKeyMissing(
                    f"no keys for {department.code}, and {base / 'ca.pem'} is not a demo CA: "
                    "install the department's key and certificate"
                )
            _department_create(base, department)
            created.append(department.code)
    if created:
        logger.info("signing_keys_created codes=%s dir=%s", ",".join(created), base)
    return created


def keys_missing(*, departments: Iterable[Department]) -> list[str]:
    """The files missing from the key directory for these departments (and the CA), as paths."""
    base = key_dir()
    missing = [] if (base / "ca.pem").exists() else [str(base / "ca.pem")]
    for department in departments:
        missing += [str(p) for p in _paths(base, department.code).values() if not p.exists()]
    return missing


# --- loading --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _load(base: str, code: str, stamp: tuple[int, ...]) -> DepartmentKeys:
    from pyhanko.sign import signers

    paths = _paths(Path(base), code)
    signer = signers.SimpleSigner.load(
        str(paths["key"]), str(paths["cert"]), ca_chain_files=(str(Path(base) / "ca.pem"),)
    )
    if signer is None:
        raise SigningKeyMissing(f"the key or certificate of {code} in {base} cannot be read")
    der = x509.load_pem_x509_certificate(paths["cert"].read_bytes()).public_bytes(serialization.Encoding.DER)
    return DepartmentKeys(
        code=code,
        signer=signer,
        sm2_private=paths["sm2_key"].read_text().strip().lower(),
        sm2_public=paths["sm2_pub"].read_text().strip().lower(),
        fingerprint=hashlib.sha256(der).hexdigest(),
    )


def department_keys(department: Department) -> DepartmentKeys:
    """The signing keys of ``department``. With ``ONEVISIT_SIGNING_DEMO_KEYS`` on, missing keys are made
    under the demo CA; otherwise a missing file raises :class:`SigningKeyMissing` naming it."""
    base = key_dir()
    if not _complete(base, department.code) or not (base / "ca.pem").exists():
        if settings.ONEVISIT_SIGNING_DEMO_KEYS:
            demo_keys_create(departments=[department])
        else:
            missing = keys_missing(departments=[department])
            raise SigningKeyMissing(
                "cannot sign for "
                + department.code
                + ": missing "
                + ", ".join(missing)
                + " (run `onevisit signing_keys` to list what is needed)"
            )
    paths = _paths(base, department.code)
    stamp = tuple(p.stat().st_mtime_ns for p in [*paths.values(), base / "ca.pem"])
    return _load(str(base), department.code, stamp)


@functools.lru_cache(maxsize=8)
def _roots(path: str, stamp: int) -> tuple[asn1_x509.Certificate, ...]:
    data = Path(path).read_bytes()
    return tuple(asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True))


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    path = key_dir() / "ca.pem"
    if not path.exists():
        return ()
    return _roots(str(path), path.stat().st_mtime_ns)


def sm2_trusted_keys(code: str) -> set[str]:
    """The department's current SM2 public key and its retired ones."""
    base = key_dir()
    keys: set[str] = set()
    if not SAFE_CODE.match(code):
        return keys
    candidates = [_department_dir(base) / f"{code}.sm2.pub"]
    retired = _department_dir(base) / "retired"
    if retired.is_dir():
        candidates += [p for p in retired.glob("*.sm2.pub") if p.name.split(".")[0] == code]
    for path in candidates:
        if path.exists():
            keys.add(path.read_text().strip().lower())
    return keys


# --- signatures -----------------------------------------------------------------------------------


T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to the end, also from a thread that already runs an event loop (an
    ASGI worker, Playwright's test thread), where ``asyncio.run`` would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pades_sign(pdf: bytes, keys: DepartmentKeys, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # Reserving the space up front saves pyHanko a second pass over the document.
    _run(signers.PdfSigner(meta, signer=keys.signer).async_sign_pdf(writer, output=out, bytes_reserved=8192))
    return out.getvalue()


def pades_verify(pdf: bytes) -> bool:
    """True when the PDF has exactly one signature, it covers the whole file, the bytes are unchanged
    and the signer chains to a trusted CA in the key directory."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots()
    if not roots:
        return False
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        status = _run(async_validate_pdf_signature(signatures[0], ValidationContext(trust_roots=list(roots))))
    except Exception:  # any malformed or tampered file is simply "not valid"
        logger.info("pades_verify_failed", exc_info=True)
        return False
    return bool(status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)


def sm2_sign(message: bytes, *, private_key: str, public_key: str) -> str:
    """SM2 signature (r‖s, hex) of ``message`` with the SM3 digest over Z‖M (GB/T 32918, default ID)."""
    crypt = sm2.CryptSM2(private_key=private_key, public_key=public_key)
    for _attempt in range(8):
        nonce = f"{secrets.randbelow(SM2_N - 1) + 1:064x}"
        signature = crypt.sign_with_sm3(message, nonce)
        if signature:
            return str(signature)
    raise RuntimeError("SM2 signing failed eight times in a row")  # never happens with a sound key


def sm2_verify(message: bytes, signature: str, public_key: str) -> bool:
    if not HEX128.match(signature or "") or not HEX128.match(public_key or "") or public_key.startswith("04"):
        return False
    try:
        return bool(sm2.CryptSM2(private_key="", public_key=public_key).verify_with_sm3(signature, message))
    except Exception:
        return False

import io

import pytest
from django.core.exceptions import ValidationError

from onevisit.cases.uploads import check_upload, clean_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9"


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_real_files_pass_with_their_type_from_content(content, kind):
    checked = check_upload(io.BytesIO(content), "scan.exe")
    assert checked.content_type == kind and checked.extension != ".exe" and len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 this is an exe", "PDF"),
        (b"<html><script>alert(1)</script>", "PDF"),
        (b"%PDF-1.4 truncated", "PDF"),
        (b"\x89PNG\r\n\x1a\n truncated", "image"),
    ],
)
def test_lying_empty_or_broken_files_are_refused(content, needle):
    with pytest.raises(ValidationError) as info:
        check_upload(io.BytesIO(content), "材料.pdf")
    assert info.value.messages


def test_huge_files_are_refused_without_reading_them_all():
    stream = io.BytesIO(PDF + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError):
        check_upload(stream, "big.pdf")
    assert stream.tell() <= 10 * 1024 * 1024 + 1


def test_names_lose_paths_and_markup():
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\a\\营业执照<script>.pdf") == "营业执照script.pdf"
    assert clean_name("\x00\x1f") == "file"
    assert len(clean_name("a" * 500)) == 80

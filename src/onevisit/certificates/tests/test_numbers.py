"""Certificate numbers: region + type + year + sequence + an ISO 7064 Mod 37,36 check character that
catches a typo before any lookup."""

import pytest
from django.core.exceptions import ValidationError

from onevisit.certificates.numbers import number_is_valid, number_make, number_normalize
from onevisit.certificates.selectors import certificate_by_number

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_a_number_has_region_type_year_sequence_and_check_character():
    number = number_make(region_code="330100", abbreviation="YYZZ", year=2026, sequence=1)
    assert number.startswith("330100YYZZ2026000001") and len(number) == 21
    assert number_normalize(number) == number


def test_every_single_typo_and_most_swaps_of_neighbours_are_caught():
    number = number_make(region_code="330106", abbreviation="LNYD", year=2026, sequence=4711)
    for i, char in enumerate(number):
        for other in ALPHABET:
            if other == char:
                continue
            typo = number[:i] + other + number[i + 1 :]
            with pytest.raises(ValidationError):
                number_normalize(typo)
    swaps = caught = 0
    for sequence in range(1, 500):
        number = number_make(region_code="330106", abbreviation="LNYD", year=2026, sequence=sequence)
        for i in range(len(number) - 1):
            if number[i] != number[i + 1]:
                swaps += 1
                caught += not number_is_valid(number[:i] + number[i + 1] + number[i] + number[i + 2 :])
    assert caught / swaps > 0.93


def test_spaces_hyphens_small_letters_and_full_width_characters_are_fine():
    number = number_make(region_code="330100", abbreviation="SBK", year=2026, sequence=12)
    typed = " " + "-".join([number[:6], number[6:9].lower(), number[9:13], number[13:]]) + " "
    assert number_normalize(typed) == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert number_normalize(full_width) == number


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("X" * 61, "max_length"),
        ("<script>alert(1)</script>", "format"),
        ("330100YYZZ2026", "format"),
        ("' OR 1=1 --", "format"),
        ("33010YYZZ20260000017", "format"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(text, code):
    with pytest.raises(ValidationError) as info:
        number_normalize(text)
    assert info.value.code == code
    assert info.value.messages[0]


def test_the_check_character_message_says_it_is_a_typo():
    number = number_make(region_code="330100", abbreviation="YYZZ", year=2026, sequence=1)
    typo = number[:-2] + ("2" if number[-2] != "2" else "3") + number[-1]
    with pytest.raises(ValidationError) as info:
        number_normalize(typo)
    assert info.value.code == "check"
    assert "校验" in info.value.messages[0]


@pytest.mark.django_db
def test_a_typo_never_reaches_the_database(django_assert_num_queries, issue, alice):
    certificate = issue(person=alice.person)
    typo = certificate.number[:-3] + ("9" if certificate.number[-3] != "9" else "8") + certificate.number[-2:]
    with django_assert_num_queries(0):
        assert certificate_by_number(typo) is None
        assert certificate_by_number("not a number") is None
    assert certificate_by_number(certificate.number.lower()) == certificate

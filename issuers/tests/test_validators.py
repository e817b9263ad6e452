"""Registration numbers are checked per jurisdiction; doubtful mainland codes go to manual review."""

import pytest

from issuers.choices import RegistrationCheck
from issuers.validators import InvalidRegistrationNumber, normalise_registration_number


@pytest.mark.parametrize(
    ("jurisdiction", "raw", "value", "check"),
    [
        ("HK", "12345678", "12345678", RegistrationCheck.FORMAT_VALID),
        ("HK", "12345678-000-08-22-1", "12345678", RegistrationCheck.FORMAT_VALID),
        ("HK", "c0012345", "C0012345", RegistrationCheck.FORMAT_VALID),
        ("CN-SZ", "91110000600037341L", "91110000600037341L", RegistrationCheck.CHECKSUM_VALID),
        ("CN-GZ", "9111 0000 6000 3734 1L", "91110000600037341L", RegistrationCheck.CHECKSUM_VALID),
        ("CN-DG", "91110000600037341M", "91110000600037341M", RegistrationCheck.MANUAL_REVIEW),
        ("MO", "12345", "12345", RegistrationCheck.MANUAL_REVIEW),
        ("MO", "12345so", "12345SO", RegistrationCheck.MANUAL_REVIEW),
    ],
)
def test_valid_numbers_are_canonicalised(jurisdiction, raw, value, check):
    number = normalise_registration_number(jurisdiction, raw)
    assert (number.value, number.check) == (value, check)


@pytest.mark.parametrize(
    ("jurisdiction", "raw"),
    [
        ("HK", "1234567"),
        ("HK", "AB123456"),
        ("HK", ""),
        ("CN-SZ", "91110000600037341"),
        ("CN-SZ", "9111000060003734IO"),
        ("MO", "1234567"),
        ("MO", "ABC"),
        ("SG", "12345678"),
    ],
)
def test_impossible_numbers_are_refused_with_a_reason(jurisdiction, raw):
    with pytest.raises(InvalidRegistrationNumber) as refused:
        normalise_registration_number(jurisdiction, raw)
    assert str(refused.value)

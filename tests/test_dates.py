"""Lenient date-of-birth entry (screening.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from screening.dates import parse_birth_date

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12/05/1980", "1980-05-12"),  # day first, as in Indonesia
        ("12.5.1980", "1980-05-12"),
        ("12-05-1980", "1980-05-12"),
        ("1980-05-12", "1980-05-12"),
        ("1980/5/12", "1980-05-12"),
        ("05/25/1980", "1980-05-25"),  # reads only one way
        ("12 Mei 1980", "1980-05-12"),
        ("12 may 1980", "1980-05-12"),
        ("3 Agu 2001", "2001-08-03"),
        ("  ", ""),
    ],
)
def test_common_ways_of_writing_a_date(text, iso):
    parsed = parse_birth_date(text, TODAY)
    assert parsed.problem == ""
    assert parsed.iso == iso


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31/02/1980", "format"),
        ("13/13/1980", "format"),
        ("yesterday", "format"),
        ("1980", "format"),
        ("01/01/2030", "future"),
        ("01/01/1850", "too_old"),
    ],
)
def test_what_is_not_a_date_of_birth(text, problem):
    assert parse_birth_date(text, TODAY) == type(parse_birth_date(""))(None, problem)

"""The data dictionary: the docs are generated from it, and encryption follows its sensitivity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.domain import codes
from youthcase.domain.dictionary import CONTACT, ENTITIES, YOUNG_PERSON, FieldKind
from youthcase.domain.dictionary_doc import render
from youthcase.domain.validation import (
    FieldError,
    nhs_number_check_digit_ok,
    parse_instant,
    parse_nhs_number,
    parse_postcode,
)
from youthcase.storage import models
from youthcase.storage.encrypted import EncryptedType

DOCS = Path(__file__).resolve().parents[2] / "docs"
MODEL_FOR = {
    "young_person": models.CasePerson,
    "case": models.CaseEpisode,
    "incident": models.Incident,
    "contact": models.Contact,
    "risk_assessment": models.RiskAssessment,
    "safeguarding_concern": models.SafeguardingConcern,
    "plan_goal": models.PlanGoal,
    "follow_up": models.FollowUp,
}


def test_data_dictionary_document_is_current() -> None:
    assert (DOCS / "data-dictionary.md").read_text(encoding="utf-8") == render(), (
        "regenerate: python -m youthcase.domain.dictionary_doc > docs/data-dictionary.md"
    )


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_every_field_is_stored_and_encrypted_as_its_sensitivity_says(entity) -> None:  # type: ignore[no-untyped-def]
    table = MODEL_FOR[entity.name].__table__
    for spec in entity.fields:
        column = table.columns.get(spec.name if spec.name != "site" else "site_id")
        assert column is not None, f"{entity.name}.{spec.name} has no column"
        assert isinstance(column.type, EncryptedType) == spec.sensitivity.encrypted, spec.name


def _valid_nhs_numbers() -> st.SearchStrategy[str]:
    def with_check_digit(nine: str) -> str | None:
        total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        return None if check == 10 else nine + str(check)

    # filter(bool) drops the None of a check digit of 10, which the type of the strategy cannot show.
    return cast(
        st.SearchStrategy[str], st.text("0123456789", min_size=9, max_size=9).map(with_check_digit).filter(bool)
    )


@given(_valid_nhs_numbers())
def test_valid_nhs_numbers_parse_with_any_spacing(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert parse_nhs_number(spaced) == number == parse_nhs_number(number)


@given(_valid_nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_one_mistyped_digit_is_caught(number: str, position: int, delta: int) -> None:
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(FieldError, match="check digit"):
        parse_nhs_number("".join(digits))


@given(
    st.text(max_size=30).filter(
        lambda t: not (t.replace(" ", "").replace("-", "").isdigit() and len(t.replace(" ", "").replace("-", "")) == 10)
    )
)
def test_anything_but_ten_digits_is_refused_with_advice(text: str) -> None:
    with pytest.raises(FieldError, match="10 digits"):
        parse_nhs_number(text)


def test_known_nhs_numbers() -> None:
    assert nhs_number_check_digit_ok("9434765919")
    assert not nhs_number_check_digit_ok("9434765918")


@given(st.text(max_size=40))
def test_every_parser_either_returns_or_explains(text: str) -> None:
    for entity in ENTITIES:
        for spec in entity.fields:
            if spec.name == "site":
                continue
            try:
                spec.parse(text)
            except FieldError as error:
                assert str(error)


def test_codes_accept_labels_case_insensitively() -> None:
    assert YOUNG_PERSON["ethnicity"].parse("white british") == "A"
    assert CONTACT["topics"].parse("Housing; mental HEALTH") == ("housing", "mental_health")
    with pytest.raises(FieldError, match="use one of"):
        CONTACT["medium"].parse("carrier pigeon")


def test_names_refuse_formula_starts_but_notes_keep_them() -> None:
    with pytest.raises(FieldError, match="formula"):
        YOUNG_PERSON["given_name"].parse('=HYPERLINK("http://x")')
    assert CONTACT["notes"].parse("-- met at bedside") == "-- met at bedside"


def test_unicode_names_and_huge_text() -> None:
    assert YOUNG_PERSON["family_name"].parse(" Nguyễn-O'Brien ") == "Nguyễn-O'Brien"
    with pytest.raises(FieldError, match="at most 100"):
        YOUNG_PERSON["family_name"].parse("x" * 101)
    assert YOUNG_PERSON["family_name"].kind is FieldKind.NAME


def test_postcodes_and_london_times() -> None:
    assert parse_postcode("se50 9rs") == "SE50 9RS"
    with pytest.raises(FieldError, match="postcode"):
        parse_postcode("12345")
    # 00:30 on 1 July in London is 23:30 UTC on 30 June (British Summer Time).
    assert parse_instant("2026-07-01 00:30") == dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert parse_instant("2026-01-01T00:30+00:00") == dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)


def test_ethnic_groups_roll_up_to_five_broad_groups() -> None:
    groups = {c.group for c in codes.ETHNICITY} - {"Not known"}
    assert groups == {"White", "Mixed", "Asian", "Black", "Other"}

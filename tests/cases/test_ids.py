"""Chinese identifiers: 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999).

The values are literal (not generated with the library under test). Valid examples come from
the standards' own examples or were checked by hand against the check-digit rules.
"""

import pytest

from cases import ids
from cases.errors import ValidationError
from cases.parties.models import PartyCreate, PartyKind
from cases.validation import parse

USCC_CHECK = "Not a valid unified social credit code (check digit)"
RIC_CHECK = "Not a valid resident ID number (check digit)"

# (id, input, valid, normalised form)
USCC_CASES = [
    ("GB32100-enterprise", "91110000600037341L", True, "91110000600037341L"),
    ("GB32100-letters-in-organisation-code", "91350100M000100Y43", True, "91350100M000100Y43"),
    ("GB32100-law-firm-31", "31110000E00017525U", True, "31110000E00017525U"),
    ("GB32100-registrar-N-village-collective", "N2370683MF0000001T", True, "N2370683MF0000001T"),
    ("GB32100-registrar-Y-other", "Y1110000MA0000001Y", True, "Y1110000MA0000001Y"),
    ("GB32100-lowercase-letters", "91350100m000100y43", True, "91350100M000100Y43"),
    ("GB32100-spaces-and-hyphens", " 9135 0100-M000 100Y43 ", True, "91350100M000100Y43"),
    ("GB32100-wrong-check-char", "91350100M000100Y44", False, None),
    ("GB32100-wrong-check-char-2", "91110000600037341M", False, None),
    ("GB32100-too-short", "9111000060003734L", False, None),
    ("GB32100-too-long", "91110000600037341LL", False, None),
    ("GB32100-letter-I-not-in-alphabet", "9111000060003734IL", False, None),
    ("GB32100-letter-O-not-in-alphabet", "9111000060003734OL", False, None),
    ("GB32100-letter-in-region-code", "911A0000600037341L", False, None),
    ("GB32100-old-15-digit-registration-number", "110108000000016", False, None),
    ("GB32100-empty", "", False, None),
]

RIC_CASES = [
    ("GB11643-standard-example", "11010519491231002X", True, "11010519491231002X"),
    ("GB11643-digit-check", "360426199101010071", True, "360426199101010071"),
    ("GB11643-lowercase-x", "11010519491231002x", True, "11010519491231002X"),
    ("GB11643-spaces", " 110105 19491231 002X ", True, "11010519491231002X"),
    ("GB11643-hyphens", "110105-19491231-002X", True, "11010519491231002X"),
    ("GB11643-wrong-check-digit", "110105194912310021", False, None),
    ("GB11643-wrong-check-digit-2", "360426199101010072", False, None),
    ("GB11643-17-digits", "11010519491231002", False, None),
    ("GB11643-19-digits", "11010519491231002X1", False, None),
    ("GB11643-first-generation-15-digits", "110105491231002", False, None),
    ("GB11643-letter-in-body", "11010519491231A02X", False, None),
    ("GB11643-impossible-birth-date-0230", "110105194902300012", False, None),
    ("GB11643-unknown-region-code", "999999198001010011", False, None),
    ("GB11643-born-in-the-future", "110105209912310010", False, None),
    ("GB11643-empty", "", False, None),
]


@pytest.mark.parametrize(
    ("code", "valid", "normalised"), [c[1:] for c in USCC_CASES], ids=[c[0] for c in USCC_CASES]
)
def test_unified_social_credit_code(code, valid, normalised):
    assert ids.is_valid_uscc(code) is valid
    if valid:
        assert ids.normalise_uscc(code) == normalised


@pytest.mark.parametrize(
    ("number", "valid", "normalised"), [c[1:] for c in RIC_CASES], ids=[c[0] for c in RIC_CASES]
)
def test_resident_id_number(number, valid, normalised):
    assert ids.is_valid_ric(number) is valid
    if valid:
        assert ids.normalise_ric(number) == normalised


# ---- through PartyCreate: what intake and the API actually accept ---------------------------


def _company(uscc):
    return {"kind": "company", "name": "华东建材贸易有限公司", "uscc": uscc}


def _person(id_number):
    return {"kind": "person", "name": "张三", "id_number": id_number}


@pytest.mark.parametrize(
    ("code", "normalised"),
    [(c[1], c[3]) for c in USCC_CASES if c[2]],
    ids=[c[0] for c in USCC_CASES if c[2]],
)
def test_company_party_stores_the_compact_code(code, normalised):
    party = parse(PartyCreate, _company(code))
    assert party.kind == PartyKind.COMPANY
    assert party.uscc == normalised
    assert party.id_number is None


@pytest.mark.parametrize(
    "code",
    [c[1] for c in USCC_CASES if not c[2] and c[1]],
    ids=[c[0] for c in USCC_CASES if not c[2] and c[1]],
)
def test_company_party_refuses_a_bad_code(code):
    with pytest.raises(ValidationError) as exc:
        parse(PartyCreate, _company(code))
    assert [m.msgid for m in exc.value.errors["uscc"]] == [USCC_CHECK]


@pytest.mark.parametrize(
    ("number", "normalised"),
    [(c[1], c[3]) for c in RIC_CASES if c[2]],
    ids=[c[0] for c in RIC_CASES if c[2]],
)
def test_person_party_stores_the_compact_number(number, normalised):
    party = parse(PartyCreate, _person(number))
    assert party.kind == PartyKind.PERSON
    assert party.id_number == normalised
    assert party.uscc is None


@pytest.mark.parametrize(
    "number",
    [c[1] for c in RIC_CASES if not c[2] and c[1]],
    ids=[c[0] for c in RIC_CASES if not c[2] and c[1]],
)
def test_person_party_refuses_a_bad_number(number):
    with pytest.raises(ValidationError) as exc:
        parse(PartyCreate, _person(number))
    assert [m.msgid for m in exc.value.errors["id_number"]] == [RIC_CHECK]


def _refusal(data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        parse(PartyCreate, data)
    return {field: [m.msgid for m in msgs] for field, msgs in exc.value.errors.items()}


@pytest.mark.parametrize("blank", [None, "", "   "], ids=["none", "empty", "spaces"])
def test_company_needs_a_uscc_GB32100(blank):
    [(field, msgids)] = _refusal(_company(blank)).items()
    assert msgids == ["A company needs its unified social credit code"]
    assert field in ("__all__", "uscc")  # the form, or the code's own field


@pytest.mark.parametrize("blank", [None, "", "   "], ids=["none", "empty", "spaces"])
def test_person_needs_an_id_number_GB11643(blank):
    [(field, msgids)] = _refusal(_person(blank)).items()
    assert msgids == ["An individual needs a resident ID number"]
    assert field in ("__all__", "id_number")


def test_company_with_only_an_id_number_is_refused():
    refusal = _refusal({**_company(None), "id_number": "11010519491231002X"})
    assert refusal in (
        {"__all__": ["A company needs its unified social credit code"]},
        {"uscc": ["A company needs its unified social credit code"]},
    )


def test_identifier_of_the_other_kind_is_dropped():
    company = parse(
        PartyCreate, {**_company("91110000600037341L"), "id_number": "11010519491231002X"}
    )
    person = parse(PartyCreate, {**_person("11010519491231002X"), "uscc": "91110000600037341L"})
    assert (company.uscc, company.id_number) == ("91110000600037341L", None)
    assert (person.uscc, person.id_number) == (None, "11010519491231002X")


def test_identifier_of_the_wrong_type_is_a_field_error():
    with pytest.raises(ValidationError) as exc:
        parse(PartyCreate, _company(91110000))
    assert [m.msgid for m in exc.value.errors["uscc"]] == ["Not valid text"]

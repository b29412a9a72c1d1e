"""Amounts in capitals, the fen rounding policy and document dates (RULES.md §1, §7).

Expected strings are written out by hand from 《正确填写票据和结算凭证的基本规定》 (its own
examples are marked "票据规定") and 《会计基础工作规范》第五十二条, never produced by the code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cases.money import as_decimal, cn_date, rmb_upper, to_fen

D = Decimal

# (amount, capitals with the default setting: no 整 after 角)
RMB_UPPER_CASES = [
    # 整 after 元 when there are no 角/分
    ("0", "零元整"),
    ("1", "壹元整"),
    ("5", "伍元整"),
    ("20", "贰拾元整"),
    ("100", "壹佰元整"),
    ("1000", "壹仟元整"),
    ("10000", "壹万元整"),
    ("200000.00", "贰拾万元整"),
    ("100000000", "壹亿元整"),
    ("1000000000", "壹拾亿元整"),
    ("500000000000", "伍仟亿元整"),
    ("1580000000", "壹拾伍亿捌仟万元整"),
    # a leading ten is 壹拾
    ("10", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("110", "壹佰壹拾元整"),
    ("100000", "壹拾万元整"),
    ("110000", "壹拾壹万元整"),
    # one 零 for a run of zeros inside the number, across 万/亿 groups too
    ("101", "壹佰零壹元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("100001", "壹拾万零壹元整"),
    ("105000", "壹拾万零伍仟元整"),
    ("1000100", "壹佰万零壹佰元整"),
    ("1010000", "壹佰零壹万元整"),
    ("10001000", "壹仟万零壹仟元整"),
    ("10010000", "壹仟零壹万元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100100100", "壹亿零壹拾万零壹佰元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),  # 票据规定
    ("6007.14", "陆仟零柒元壹角肆分"),  # 票据规定
    # 零 after 元 when 角 is zero and 分 is not
    ("1010.05", "壹仟零壹拾元零伍分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # 票据规定
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1.05", "壹元零伍分"),
    ("10.01", "壹拾元零壹分"),
    # 元 digit zero, 角 not: the 票据规定 allows writing no 零 there; we write none
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # 票据规定, second form
    ("107000.53", "壹拾万零柒仟元伍角叁分"),  # 票据规定, second form
    ("40000.4", "肆万元肆角"),
    # amounts below one yuan: no 元, no leading 零
    ("0.50", "伍角"),
    ("0.10", "壹角"),
    ("0.05", "伍分"),
    ("0.01", "壹分"),
    ("0.55", "伍角伍分"),
    # 角 and 分, never 整 after 分
    ("1.50", "壹元伍角"),
    ("20.20", "贰拾元贰角"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "expected"), RMB_UPPER_CASES)
def test_rmb_upper_per_piaoju_rules_and_kuaiji_guifan_art52(amount, expected):
    assert rmb_upper(D(amount)) == expected
    assert rmb_upper(amount) == expected  # a string works the same


@pytest.mark.parametrize(
    ("amount", "default", "with_zheng"),
    [
        ("0.50", "伍角", "伍角整"),
        ("0.10", "壹角", "壹角整"),
        ("1.50", "壹元伍角", "壹元伍角整"),
        ("40000.4", "肆万元肆角", "肆万元肆角整"),
        (
            "12345678.90",
            "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角",
            "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整",
        ),
        # the setting touches only a final 角: 整 after 元 always, never after 分
        ("10", "壹拾元整", "壹拾元整"),
        ("0", "零元整", "零元整"),
        ("0.55", "伍角伍分", "伍角伍分"),
        ("0.05", "伍分", "伍分"),
        ("1010.05", "壹仟零壹拾元零伍分", "壹仟零壹拾元零伍分"),
    ],
)
def test_rmb_upper_zheng_after_jiao_setting_piaoju_vs_kuaiji_guifan_art52(
    amount, default, with_zheng
):
    assert rmb_upper(amount) == default
    assert rmb_upper(amount, zheng_after_jiao=False) == default
    assert rmb_upper(amount, zheng_after_jiao=True) == with_zheng


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (7, "柒元整"),
        (100000001, "壹亿零壹元整"),
        (D("1.230"), "壹元贰角叁分"),  # a trailing zero is not a third decimal place
        (D("1E+2"), "壹佰元整"),
        (D("-0"), "零元整"),
        ("  1234.5 ", "壹仟贰佰叁拾肆元伍角"),
    ],
)
def test_rmb_upper_accepts_int_decimal_and_str(amount, expected):
    assert rmb_upper(amount) == expected


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "negative"),
        ("-0.01", "negative"),
        (D("-1000"), "negative"),
        ("1.001", "more than two decimal places"),
        (D("0.005"), "more than two decimal places"),
        ("NaN", "finite"),
        (D("Infinity"), "finite"),
        (D("-Infinity"), "finite"),
        (D("sNaN"), "finite"),
        ("abc", "not a number"),
        ("", "not a number"),
        ("1,000", "not a number"),
        (None, "not NoneType"),
        (1.5, "floats are never used"),
        (True, "not bool"),
        ([1], "not list"),
        (10**12, "below 1 万亿"),
        ("1000000000000.00", "below 1 万亿"),
        (D("1E+15"), "below 1 万亿"),
    ],
)
def test_rmb_upper_refuses_what_has_no_capitals(amount, message):
    with pytest.raises(ValueError, match=message):
        rmb_upper(amount)


# RULES.md §1: quote exact values, round half-up to the fen only for display and payment
@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("50.025", "50.03"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("0.015", "0.02"),
        ("2.675", "2.68"),  # a float would give 2.67
        ("1.994999", "1.99"),
        ("50.00025", "50.00"),
        ("16.666667", "16.67"),
        ("766.666667", "766.67"),
        ("-50.025", "-50.03"),  # ties away from zero
        ("12", "12.00"),
        (5, "5.00"),
        (D("13800.000"), "13800.00"),
    ],
)
def test_to_fen_rounds_half_up_per_rules_1(amount, expected):
    result = to_fen(amount)
    assert result == D(expected)
    assert str(result) == expected  # always two places, ready for display


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0.5, "floats are never used"),
        ("NaN", "finite"),
        (D("Infinity"), "finite"),
        ("x", "not a number"),
        (None, "not NoneType"),
        (D("1E+40"), "too large"),
    ],
)
def test_to_fen_refuses_non_numbers_and_floats(amount, message):
    with pytest.raises(ValueError, match=message):
        to_fen(amount)


def test_as_decimal_names_the_input():
    with pytest.raises(ValueError, match="claim must be"):
        as_decimal(1.0, what="claim")


# RULES.md §7: dates in documents
@pytest.mark.parametrize(
    ("day", "digits", "chinese"),
    [
        (date(2026, 11, 23), "2026年11月23日", "二〇二六年十一月二十三日"),
        (date(2000, 1, 1), "2000年1月1日", "二〇〇〇年一月一日"),
        (date(2000, 10, 10), "2000年10月10日", "二〇〇〇年十月十日"),
        (date(2020, 12, 20), "2020年12月20日", "二〇二〇年十二月二十日"),
        (date(2026, 1, 31), "2026年1月31日", "二〇二六年一月三十一日"),
        (date(2019, 10, 1), "2019年10月1日", "二〇一九年十月一日"),
        (date(2024, 2, 29), "2024年2月29日", "二〇二四年二月二十九日"),
        (date(2025, 11, 30), "2025年11月30日", "二〇二五年十一月三十日"),
        (date(2031, 5, 11), "2031年5月11日", "二〇三一年五月十一日"),
        (date(1999, 9, 9), "1999年9月9日", "一九九九年九月九日"),
    ],
)
def test_cn_date_both_styles_per_rules_7(day, digits, chinese):
    assert cn_date(day) == digits
    assert cn_date(day, style="digits") == digits
    assert cn_date(day, style="chinese") == chinese


def test_cn_date_takes_the_date_of_a_datetime():
    assert cn_date(datetime(2026, 11, 23, 23, 59), style="chinese") == "二〇二六年十一月二十三日"


def test_cn_date_refuses_unknown_style_and_non_dates():
    with pytest.raises(ValueError, match="unknown date style"):
        cn_date(date(2026, 1, 1), style="roman")
    with pytest.raises(TypeError):
        cn_date("2026-01-01")

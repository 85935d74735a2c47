"""GB 32100-2015 credit codes: what people type is folded, every kind of mistake is named."""
import pytest

from crm.enterprises.credit_code import (ALPHABET, WEIGHTS, CreditCodeError, check_character,
                                         normalize)

# Published codes whose check character the algorithm reproduces: the GB 32100 worked example,
# 小米科技 (北京), 平安银行 (深圳), 中国石化 (北京, ends in X).
REAL_CODES = ["91350100M000100Y43", "91110108551385082Q", "914403001922038216", "91110000710925462X"]


def test_weights_and_alphabet_follow_the_standard():
    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert len(ALPHABET) == 31 and not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert normalize(code) == code
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("typed", [
    "９１３５０１００Ｍ０００１００Ｙ４３",        # full-width, as a Chinese IME types it
    "91350100m000100y43",                          # lower case
    " 9135 0100-M000 100Y43 ",                     # spaces and dashes from a form or a letter
    "9135\u30000100\u2014M000100Y43",              # ideographic space and an em dash
])
def test_what_people_type_is_folded_to_the_canonical_code(typed):
    assert normalize(typed) == "91350100M000100Y43"


def test_a_code_whose_check_character_is_wrong_names_the_expected_one():
    # 911100001000013461 is often quoted as an example, but its check character should be Q.
    with pytest.raises(ValueError) as caught:
        normalize("911100001000013461")
    assert caught.value.kind == "check"
    assert "第18位应为“Q”" in str(caught.value) and "实际为“1”" in str(caught.value)


@pytest.mark.parametrize("typed, kind, words", [
    ("", "empty", "请填写统一社会信用代码"),
    ("   ", "empty", "请填写统一社会信用代码"),
    ("91350100M000100Y4", "length", "应为18位，当前为17位"),
    ("91350100M000100Y431", "length", "当前为19位"),
    ("310151000123456", "length", "15位的是旧的工商注册号"),
    ("M000100Y4", "length", "9位的是旧的组织机构代码"),
    ("91350100MO00100Y43", "character", "第10位为字母“O”"),
    ("9I350100M000100Y43", "character", "不使用字母 I、O、Z、S、V"),
    ("91350100M00010SY43", "character", "字母“S”"),
    ("91350100M000100Y4。", "character", "第18位含有不允许的字符“。”"),
    ("91A50100M000100Y43", "division", "第3-8位应为6位数字的行政区划代码"),
    ("91350100M000100Y44", "check", "第18位应为“3”"),
])
def test_every_kind_of_mistake_says_what_is_wrong(typed, kind, words):
    with pytest.raises(CreditCodeError) as caught:
        normalize(typed)
    assert caught.value.kind == kind
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)  # callers may catch plain ValueError


def test_a_single_mistyped_character_is_always_caught():
    code = "91350100M000100Y43"
    for position in range(17):
        for ch in ALPHABET:
            if ch == code[position] or (2 <= position < 8 and not ch.isdigit()):
                continue
            typo = code[:position] + ch + code[position + 1:]
            with pytest.raises(CreditCodeError):
                normalize(typo)

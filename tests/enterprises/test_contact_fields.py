"""Contact phone numbers and e-mail: one set of rules for the form and the import; masking."""
import pytest

from crm.enterprises.contacts import mask_phone, normalize_email, normalize_phone


@pytest.mark.parametrize("typed, stored", [
    ("13812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("021-59612345", "021-59612345"),
    ("(021)59612345", "021-59612345"),
    ("02159612345", "021-59612345"),
    ("0571-8888888-801", "0571-8888888-801"),
    ("59612345", "59612345"),
    ("", ""),
])
def test_phone_numbers_are_stored_one_way(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1381234567", "138123456789", "电话", "23812345678"])
def test_bad_phone_numbers_are_refused_in_chinese(typed):
    with pytest.raises(ValueError, match="格式不正确"):
        normalize_phone(typed)


def test_email_check():
    assert normalize_email(" li@example.com ") == "li@example.com"
    with pytest.raises(ValueError, match="邮箱"):
        normalize_email("li@")


@pytest.mark.parametrize("number, masked", [
    ("13812345678", "138****5678"), ("021-59612345", "021****2345"), ("59612345", "596*2345"),
    ("", ""), (None, ""),
])
def test_masking_keeps_only_the_ends(number, masked):
    assert mask_phone(number) == masked

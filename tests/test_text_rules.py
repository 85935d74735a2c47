"""The one text rule (crm/text_rules.py): what single-line and multi-line fields and secrets refuse."""
from __future__ import annotations

import pytest

from crm.text_rules import CONTROL, FORMAT, INVALID, normalise_newlines, refused, strip_refused

EVERYWHERE = [("\x00", CONTROL), ("\x1b", CONTROL), ("\x7f", CONTROL), ("\x85", CONTROL), ("\x9f", CONTROL),
              ("\ud800", INVALID), ("\udfff", INVALID), ("\ufffe", INVALID), ("\uffff", INVALID),
              ("\U0010ffff", INVALID), ("\ufdd0", INVALID), ("\u202e", FORMAT), ("\u202a", FORMAT),
              ("\u2066", FORMAT), ("\u2069", FORMAT)]
SINGLE_LINE_ONLY = [("\n", CONTROL), ("\r", CONTROL), ("\t", CONTROL), ("\u200b", FORMAT), ("\u200c", FORMAT),
                    ("\u200d", FORMAT), ("\u200e", FORMAT), ("\u200f", FORMAT), ("\u061c", FORMAT),
                    ("\u2060", FORMAT), ("\ufeff", FORMAT), ("\u00ad", FORMAT), ("\U000e0041", FORMAT),
                    ("\u2028", FORMAT), ("\u2029", FORMAT)]


@pytest.mark.parametrize("char, kind", EVERYWHERE)
def test_refused_in_every_field(char, kind):
    assert refused(f"上海{char}公司") == kind
    assert refused(f"上海{char}公司", multiline=True) == kind


@pytest.mark.parametrize("char, kind", SINGLE_LINE_ONLY)
def test_refused_in_single_line_fields_only(char, kind):
    assert refused(f"上海{char}公司") == kind
    assert refused(f"上海{char}公司", multiline=True) is None


@pytest.mark.parametrize("value", ["上海明珠海洋装备有限公司", "O'Brien & Co. (上海)", "😀 emoji", "\ue000 private use",
                                   "ﬁ ligature", "Ａ全角", "مرحبا", ""])
def test_ordinary_text_passes(value):
    assert refused(value) is None and refused(value, multiline=True) is None


def test_secrets_refuse_controls_but_keep_any_other_character():
    assert refused("pass\u200bword", secret=True) is None
    assert refused("pass\x00word", secret=True) == CONTROL
    assert refused("pass\tword", multiline=True, secret=True) == CONTROL
    assert refused("pass\ud800", secret=True) == INVALID


def test_newlines_are_normalised_to_lf():
    assert normalise_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_strip_refused_keeps_what_was_meant():
    assert strip_refused("明\u200b珠\x00\u202e") == "明珠"

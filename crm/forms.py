"""The base classes of every form in the app, so each text field follows `crm.text_rules`.

Every page form derives from `CrmForm`, every form nested in one (FormField rows) from
`CrmSubform` (tests/test_forms.py walks them all). Their `Meta` puts the text rule first in the
validation chain of each text field: StringField and its kinds (email, phone, hidden, search)
are single-line, TextAreaField multi-line (its line breaks normalised to LF first), a
PasswordField a secret. A refused value stops that field's chain, so the person reads why next
to the field and keeps what they typed, instead of a follow-on message or a database error.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from crm.text_rules import normalise_newlines, problem


class TextRule:
    """The validator: refuses what `crm.text_rules.problem` refuses, stopping the chain."""

    def __init__(self, *, multiline: bool = False, secret: bool = False):
        self.multiline, self.secret = multiline, secret

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str):
            message = problem(field.data, self.multiline, secret=self.secret)
            if message:
                raise StopValidation(message)


def guard(field) -> None:
    """Give a bound field its text rule (and a textarea its newline normalising)."""
    if isinstance(field, PasswordField):
        rule = TextRule(secret=True)
    elif isinstance(field, TextAreaField):
        rule = TextRule(multiline=True)
        field.filters = (*field.filters, normalise_newlines)
    elif isinstance(field, StringField):
        rule = TextRule()
    else:
        return  # choices, numbers, dates, files, check boxes: converted or checked against a list
    field.validators = [rule, *field.validators]


class TextRuleMeta:
    """A WTForms Meta mixin: every field bound goes through `guard`."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        guard(field)
        return field


class CrmForm(FlaskForm):
    class Meta(TextRuleMeta, FlaskForm.Meta):
        pass


class CrmSubform(Form):
    class Meta(TextRuleMeta, Form.Meta):
        pass

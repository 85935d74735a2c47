"""The enterprise's forms: submitting a request, finding a lost tracking link."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp, ValidationError

from crm.enterprises.credit_code import normalize
from crm.forms import CrmForm
from crm.requests.forms import optional_int

DESCRIPTION_MAX = 2000
#: Mainland mobile numbers: 11 digits starting 13-19.
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _credit_code(form, field):
    try:
        field.data = normalize(field.data or "")
    except ValueError as e:
        raise ValidationError(str(e)) from None


def _mobile(form, field):
    value = re.sub(r"[\s-]", "", field.data or "")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE.match(value):
        raise ValidationError(_l("请填写 11 位手机号码。"))
    field.data = value


class PublicRequestForm(CrmForm):
    enterprise_name = StringField(_l("企业名称"), validators=[
        DataRequired(_l("请填写企业名称。")), Length(max=200, message=_l("企业名称过长。"))])
    credit_code = StringField(_l("统一社会信用代码"), validators=[
        DataRequired(_l("请填写统一社会信用代码。")), _credit_code])
    contact_name = StringField(_l("联系人"), validators=[
        DataRequired(_l("请填写联系人。")), Length(max=64, message=_l("联系人过长。"))])
    mobile = TelField(_l("手机号码"), validators=[DataRequired(_l("请填写手机号码。")), _mobile])
    email = EmailField(_l("邮箱（选填）"), validators=[
        Optional(), Email(_l("邮箱格式不正确。")), Length(max=120, message=_l("邮箱过长。"))])
    category = SelectField(_l("诉求类别"), coerce=optional_int, validators=[InputRequired(_l("请选择诉求类别。"))],
                           invalid_value_message=_l("请选择诉求类别。"),
                           invalid_choice_message=_l("请选择诉求类别。"))
    title = StringField(_l("诉求标题"), validators=[
        DataRequired(_l("请填写诉求标题。")), Length(max=100, message=_l("标题不能超过 %(max)d 个字。"))])
    description = TextAreaField(_l("诉求内容"), validators=[
        DataRequired(_l("请填写诉求内容。")),
        Length(max=DESCRIPTION_MAX, message=_l("诉求内容不能超过 %(max)d 个字。"))])
    #: The honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("网址（请勿填写）"))
    #: One-time token of this form: a second submit of the same form finds the first request.
    form_token = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("表单已失效，请刷新页面后重试。"))])


class LookupForm(CrmForm):
    number = StringField(_l("受理编号"), validators=[
        DataRequired(_l("请填写受理编号。")),
        Regexp(r"^\s*\d{4}-\d{6}\s*$", message=_l("受理编号格式如 2026-000123。"))])
    credit_code = StringField(_l("统一社会信用代码"), validators=[
        DataRequired(_l("请填写统一社会信用代码。")), _credit_code])
    mobile_last4 = StringField(_l("手机号码后 4 位"), validators=[
        DataRequired(_l("请填写手机号码后 4 位。")), Regexp(r"^\d{4}$", message=_l("请填写 4 位数字。"))])

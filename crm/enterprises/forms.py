"""Forms for enterprises, key-list periods, assignments, tags and the import upload."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, FormField, HiddenField, RadioField,
                     SelectField, StringField, SubmitField, TextAreaField)
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from crm.enterprises.contacts import normalize_email, normalize_phone
from crm.enterprises.credit_code import normalize as normalize_code
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import LEVEL_LABELS, ROLE_LABELS
from crm.forms import CrmForm, CrmSubform
from crm.org.forms import MultiCheckboxField

MAX_CONTACTS = 10


class ChineseDateField(DateField):
    """A date input whose parse error speaks Chinese and names what it expects."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("日期格式不正确，应为 2026-01-05")) from exc


def _credit_code(form, field) -> None:
    try:
        field.data = normalize_code(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class ContactForm(CrmSubform):
    """One contact row; a row left entirely blank is ignored."""

    name = StringField(_l("姓名"), validators=[Length(max=64)])
    title = StringField(_l("职务"), validators=[Length(max=64)])
    mobile = StringField(_l("联系电话"))
    email = StringField(_l("邮箱"), validators=[Length(max=120)])

    @property
    def blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.title, self.mobile, self.email))

    def validate_name(self, field) -> None:
        if not self.blank and not (field.data or "").strip():
            raise ValidationError(_("请填写联系人姓名"))

    def validate_mobile(self, field) -> None:
        try:
            field.data = normalize_phone(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_email(self, field) -> None:
        try:
            field.data = normalize_email(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def level_choices():
    return [SelectChoice(value, label) for value, label in LEVEL_LABELS.items()]


def industry_choices():
    return [SelectChoice("", _l("（未填写）"))] + [
        SelectChoice(letter, f"{letter} {name}") for letter, name in INDUSTRY_SECTIONS.items()]


def role_choices():
    return [SelectChoice(value, label) for value, label in ROLE_LABELS.items()]


class EnterpriseForm(CrmForm):
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), Length(max=200)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[_credit_code])
    town_id = SelectField(_l("属地（乡镇/园区）"), coerce=int, validate_choice=True)
    level = SelectField(_l("级别"), choices=level_choices(), validate_choice=True)
    industry = SelectField(_l("行业"), validate_choice=True)  # choices set per request (translated)
    tags = MultiCheckboxField(_l("标签"), coerce=int, validate_choice=True)
    address = StringField(_l("地址"), validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])
    contacts = FieldList(FormField(ContactForm), min_entries=1, max_entries=MAX_CONTACTS)
    reason = StringField(_l("修改说明（选填）"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = industry_choices()

    def filled_contacts(self) -> list[ContactForm]:
        return [entry.form for entry in self.contacts if not entry.form.blank]


class NewEnterpriseForm(EnterpriseForm):
    added_on = ChineseDateField(_l("列入清单日期"), validators=[InputRequired(_l("请填写列入日期"))])
    added_reason = StringField(_l("列入原因"), validators=[Optional(), Length(max=200)])


class RemoveForm(CrmForm):
    on = ChineseDateField(_l("移出日期"), validators=[InputRequired(_l("请填写移出日期"))])
    reason = StringField(_l("移出原因"), validators=[DataRequired(_l("请填写移出原因")), Length(max=200)])
    end_assignments = BooleanField(_l("同时解除该企业的包保关系"), default=True)
    submit = SubmitField(_l("移出清单"))


class RelistForm(CrmForm):
    on = ChineseDateField(_l("重新列入日期"), validators=[InputRequired(_l("请填写列入日期"))])
    reason = StringField(_l("列入原因"), validators=[DataRequired(_l("请填写列入原因")), Length(max=200)])
    submit = SubmitField(_l("重新列入清单"))


class AssignForm(CrmForm):
    liaison_id = SelectField(_l("包保责任人"), coerce=int, validate_choice=True)
    role = SelectField(_l("角色"), choices=role_choices(), validate_choice=True)
    start_on = ChineseDateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期"))])
    reason = StringField(_l("说明（选填）"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("添加包保人"))

    def validate_liaison_id(self, field) -> None:
        if not field.data:
            raise ValidationError(_("请选择包保责任人"))


class EndAssignmentForm(CrmForm):
    end_on = ChineseDateField(_l("解除日期"), validators=[InputRequired(_l("请填写解除日期"))])
    reason = StringField(_l("解除原因"), validators=[DataRequired(_l("请填写解除原因")), Length(max=200)])
    submit = SubmitField(_l("解除"))


class ReassignForm(CrmForm):
    liaison_id = SelectField(_l("新的包保责任人"), coerce=int, validate_choice=True)
    on = ChineseDateField(_l("更换日期"), validators=[InputRequired(_l("请填写更换日期"))])
    reason = StringField(_l("更换原因"), validators=[DataRequired(_l("请填写更换原因")), Length(max=200)])
    submit = SubmitField(_l("更换"))

    def validate_liaison_id(self, field) -> None:
        if not field.data:
            raise ValidationError(_("请选择新的包保责任人"))


class BulkAssignForm(AssignForm):
    mode = RadioField(_l("方式"), default="add", validate_choice=True, choices=[
        SelectChoice("add", _l("追加：保留现有包保人")),
        SelectChoice("replace", _l("替换：现有同角色包保人于开始日期解除")),
    ])
    ids = HiddenField()
    submit = SubmitField(_l("批量指派"))


class TagForm(CrmForm):
    name = StringField(_l("标签名称"), validators=[DataRequired(_l("请填写标签名称")), Length(max=50)])
    submit = SubmitField(_l("保存"))


class ImportForm(CrmForm):
    file = FileField(_l("重点企业表格（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("上传并检查"))

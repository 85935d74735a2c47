"""Forms for towns, departments and users."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, SelectField, SelectMultipleField, StringField,
                     SubmitField, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from crm.auth.roles import ROLE_LABELS, Role
from crm.forms import CrmForm


class OrgUnitForm(CrmForm):
    code = StringField(_l("代码"), validators=[DataRequired(_l("请填写代码")), Length(max=20)])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=100)])
    submit = SubmitField(_l("保存"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(CrmForm):
    login = StringField(_l("登录名"), validators=[
        DataRequired(_l("请填写登录名")),
        Regexp(r"^[A-Za-z0-9_.@-]{2,64}$", message=_l("登录名应为2-64位字母、数字或 _ . @ -")),
    ])
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=64)])
    roles = MultiCheckboxField(
        _l("角色"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
        validators=[DataRequired(_l("至少选择一个角色"))],
    )
    town_id = SelectField(_l("所属乡镇/园区"), coerce=int, validate_choice=True)
    department_id = SelectField(_l("所属部门"), coerce=int, validate_choice=True)
    mobile = StringField(_l("手机"), validators=[
        Optional(), Regexp(r"^1[3-9]\d{9}$", message=_l("手机号码应为11位大陆手机号")),
    ])
    email = EmailField(_l("邮箱"), validators=[
        Optional(), Email(_l("邮箱格式不正确"), check_deliverability=False), Length(max=120),
    ])
    active = BooleanField(_l("启用"), default=True)
    submit = SubmitField(_l("保存"))


class OrgImportForm(CrmForm):
    file = FileField(_l("组织架构表格（.xlsx）"), validators=[FileRequired(_l("请选择文件"))])
    submit = SubmitField(_l("检查并导入"))

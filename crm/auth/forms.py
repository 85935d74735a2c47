"""Login, password and settings forms."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from crm.auth.passwords import min_length
from crm.forms import CrmForm


class LoginForm(CrmForm):
    login = StringField(_l("登录名"), validators=[DataRequired(_l("请输入登录名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=200)])
    submit = SubmitField(_l("登录"))


def _long_enough(form, field):
    if len(field.data or "") < min_length():
        raise ValidationError(_l("密码至少需要 %(n)s 个字符", n=min_length()))


class ChangePasswordForm(CrmForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), _long_enough,
                                                 Length(max=200)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[DataRequired(_l("请再次输入新密码")), EqualTo("new", _l("两次输入的密码不一致"))],
    )
    submit = SubmitField(_l("修改密码"))


class SettingsForm(CrmForm):
    language = RadioField(_l("界面语言"), choices={"zh": "中文", "en": "English"},
                          validators=[DataRequired()])
    submit = SubmitField(_l("保存"))

"""The form that creates an API token."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from crm.forms import CrmForm


class TokenForm(CrmForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=64)],
                       description=_l("对接的系统，如“12345热线”；审计日志中显示为 api:名称"))
    owner = StringField(_l("所属用户（登录名）"), validators=[DataRequired(_l("请填写所属用户")),
                                                          Length(max=64)],
                        description=_l("令牌拥有该用户的角色和数据范围"))
    scope = RadioField(_l("权限范围"), validators=[DataRequired(_l("请选择权限范围"))])
    expires_on = DateField(_l("失效日期（选填）"), validators=[Optional()],
                           description=_l("从该日起令牌失效；不填则长期有效，可随时吊销"))
    submit = SubmitField(_l("创建令牌"))

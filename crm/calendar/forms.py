"""Forms of the calendar admin page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.forms import CrmForm


class ScheduleUploadForm(CrmForm):
    file = FileField(_l("节假日安排文件（CSV：日期,类型,名称）"), validators=[
        FileRequired(_l("请选择文件。")), FileAllowed(["csv", "txt"], _l("请上传 CSV 文件。"))])


class OverrideForm(CrmForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期（YYYY-MM-DD）。"))])
    kind = SelectField(_l("类型"), choices=[SelectChoice("holiday", _l("放假")),
                                          SelectChoice("workday", _l("上班（调休）"))])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=50)])

"""WTForms classes of the request pages (the public form lives in public_forms.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, widgets)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from crm.forms import CrmForm
from crm.requests.models import OUTCOME_LABELS, RATING_LABELS, Outcome, Rating
from crm.requests.steps import MAX_TEXT, MAX_TIME_LIMIT

TEXT = [Length(max=MAX_TEXT, message=_l("不能超过 %(max)d 个字。"))]


def optional_int(value):
    """Coerce for selects with a "请选择" placeholder (value "")."""
    return None if value in ("", None) else int(value)


def required(message):
    return DataRequired(message)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AssignForm(CrmForm):
    lead_department = SelectField(_l("牵头单位"), coerce=optional_int,
                                  validators=[InputRequired(_l("请选择牵头单位。"))],
                                  invalid_value_message=_l("请选择牵头单位。"),
                                  invalid_choice_message=_l("请选择牵头单位。"))
    cooperating = MultiCheckboxField(_l("配合单位"), coerce=int, validators=[Optional()],
                                     invalid_value_message=_l("请选择有效的配合单位。"),
                                     invalid_choice_message=_l("请选择有效的配合单位。"))
    time_limit_days = IntegerField(_l("办理时限（工作日）"), validators=[
        InputRequired(_l("请填写办理时限。")),
        NumberRange(1, MAX_TIME_LIMIT, _l("办理时限应为 1 至 %(max)s 个工作日。"))])
    instructions = TextAreaField(_l("督办意见"), validators=[Optional(), *TEXT])


class AnswerOnSiteForm(CrmForm):
    answer = TextAreaField(_l("答复内容"), validators=[required(_l("请填写现场答复内容。")), *TEXT])


class RejectForm(CrmForm):
    reason = TextAreaField(_l("不予受理理由（企业可见）"),
                           validators=[required(_l("请填写不予受理的理由（企业可以看到）。")), *TEXT])


class ReturnForm(CrmForm):
    reason = TextAreaField(_l("退回理由"), validators=[required(_l("请填写退回理由。")), *TEXT])


class ExtensionForm(CrmForm):
    days = IntegerField(_l("延期（工作日）"), validators=[
        InputRequired(_l("请填写延期天数。")), NumberRange(1, MAX_TIME_LIMIT, _l("延期天数不正确。"))])
    reason = TextAreaField(_l("延期理由"), validators=[required(_l("请填写延期理由。")), *TEXT])


class DecideExtensionForm(CrmForm):
    note = TextAreaField(_l("审批意见"), validators=[Optional(), *TEXT])


class EscalateForm(CrmForm):
    reasons = TextAreaField(_l("各方理据"), validators=[required(_l("请列明各方理据。")), *TEXT])


class ReplyForm(CrmForm):
    outcome = RadioField(_l("办理结果"), choices=[SelectChoice(o.value, OUTCOME_LABELS[o]) for o in Outcome],
                         validators=[InputRequired(_l("请选择办理结果。"))])
    answer = TextAreaField(_l("答复内容"), validators=[required(_l("请填写答复内容。")), *TEXT])


class RateForm(CrmForm):
    rating = RadioField(_l("评价"), choices=[SelectChoice(r.value, RATING_LABELS[r]) for r in Rating],
                        validators=[InputRequired(_l("请选择评价。"))])
    comment = TextAreaField(_l("意见"), validators=[Optional(), Length(max=2000, message=_l("不能超过 %(max)d 个字。"))])


class CloseForm(CrmForm):
    explanation = TextAreaField(_l("办结说明"), validators=[required(_l("请填写办结说明。")), *TEXT])


class NoteForm(CrmForm):
    kind = SelectField(_l("类型"), choices=[SelectChoice("note", _l("备注"))])
    text = TextAreaField(_l("内容"), validators=[required(_l("请填写内容。")), *TEXT])


class UrgeForm(CrmForm):
    instructions = TextAreaField(_l("督办要求"), validators=[Optional(), *TEXT])


class NewRequestForm(CrmForm):
    """A request taken by phone (or typed in by the commission or a town)."""

    credit_code = StringField(_l("统一社会信用代码"), validators=[required(_l("请填写统一社会信用代码。"))])
    enterprise_name = StringField(_l("企业名称（未在系统中的企业必填）"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("诉求类别"), coerce=optional_int, validators=[InputRequired(_l("请选择诉求类别。"))],
                           invalid_value_message=_l("请选择诉求类别。"),
                           invalid_choice_message=_l("请选择诉求类别。"))
    urgent = BooleanField(_l("紧急（办理时限减半）"))
    title = StringField(_l("诉求标题"), validators=[required(_l("请填写诉求标题。")), Length(max=200)])
    description = TextAreaField(_l("诉求内容"), validators=[required(_l("请填写诉求内容。")), *TEXT])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=64)])
    contact_mobile = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    contact_email = StringField(_l("邮箱"), validators=[Optional(), Email(_l("邮箱格式不正确。")), Length(max=120)])


class CategoryForm(CrmForm):
    name = StringField(_l("类别名称"), validators=[required(_l("请填写类别名称。")), Length(max=50)])
    time_limit_days = IntegerField(_l("默认办理时限（工作日）"), validators=[
        InputRequired(_l("请填写默认办理时限。")),
        NumberRange(1, MAX_TIME_LIMIT, _l("办理时限应为 1 至 %(max)s 个工作日。"))])
    position = IntegerField(_l("排序"), default=0, validators=[Optional()])
    active = BooleanField(_l("启用"), default=True)


#: The form class of each workflow action that takes input on the detail page.
ACTION_FORMS = {
    "answer_on_site": AnswerOnSiteForm, "reject": RejectForm, "return": ReturnForm,
    "request_extension": ExtensionForm, "approve_extension": DecideExtensionForm,
    "deny_extension": DecideExtensionForm, "escalate": EscalateForm, "reply": ReplyForm,
    "rate": RateForm, "close": CloseForm, "note": NoteForm, "urge": UrgeForm,
}

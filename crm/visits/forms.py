"""The visit form (登记走访) and the policy admin form."""
from __future__ import annotations

import uuid

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, FieldList, FormField, HiddenField, RadioField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.forms import CrmForm, CrmSubform
from crm.visits.models import MODE_LABELS, VisitMode
from crm.visits.problems import LIMITS as PROBLEM_LIMITS
from crm.visits.problems import ProblemInput
from crm.visits.service import LIMITS, VisitInput

MAX_PROBLEMS = 20


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("最多 %(max)d 个字。"))


class ChineseDateField(DateField):
    """A date field whose parse error speaks Chinese and says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("请按“年-月-日”填写日期，例如 2026-11-24。")) from None


class ProblemForm(CrmSubform):
    """One row of 企业诉求 (a plain Form: the visit form's CSRF token covers it)."""

    title = StringField(_l("诉求标题"), validators=[Optional(), _too_long(PROBLEM_LIMITS["title"])])
    # The choices come from the requests feature's categories; the service checks the value.
    category_id = RadioField(_l("类别"), choices=[], validate_choice=False, validators=[Optional()])
    description = TextAreaField(_l("具体描述（选填）"),
                                validators=[Optional(), _too_long(PROBLEM_LIMITS["description"])])
    answered_on_site = BooleanField(_l("现场已答复"))
    answer = TextAreaField(_l("答复内容"), validators=[Optional(), _too_long(PROBLEM_LIMITS["answer"])])

    def is_blank(self) -> bool:
        """A row nobody touched is ignored, not refused."""
        return not ((self.title.data or "").strip() or (self.description.data or "").strip()
                    or (self.answer.data or "").strip() or self.category_id.data
                    or self.answered_on_site.data)

    def to_input(self) -> ProblemInput:
        raw = self.category_id.data
        return ProblemInput(
            title=(self.title.data or "").strip(),
            category_id=int(raw) if raw and str(raw).isdigit() else None,
            description=(self.description.data or "").strip(),
            answered_on_site=bool(self.answered_on_site.data),
            answer=(self.answer.data or "").strip(),
        )


class VisitForm(CrmForm):
    #: Generated when the form is first shown; the same key on a retry finds the saved visit.
    idempotency_key = HiddenField()
    visited_on = ChineseDateField(_l("走访日期"), validators=[DataRequired(message=_l("请填写走访日期。"))])
    mode = RadioField(_l("走访方式"), default=VisitMode.ONSITE.value,
                      choices=[SelectChoice(m.value, MODE_LABELS[m]) for m in VisitMode])
    liaisons = SelectMultipleField(_l("同行包保人"), coerce=int, validate_choice=False)
    other_liaisons = StringField(_l("其他同行包保人（登录名，多人用逗号分隔）"),
                                 validators=[Optional(), Length(max=300)])
    people_met = StringField(_l("企业接待人"), validators=[Optional(), _too_long(LIMITS["people_met"])])
    policies = SelectMultipleField(_l("宣传政策"), coerce=int, validate_choice=False)
    other_topics = StringField(_l("其他宣传内容"), validators=[Optional(), _too_long(LIMITS["other_topics"])])
    findings = TextAreaField(_l("走访情况"), validators=[Optional(), _too_long(LIMITS["findings"])])
    problems = FieldList(FormField(ProblemForm), min_entries=1, max_entries=MAX_PROBLEMS)

    def ensure_key(self) -> None:
        if not self.idempotency_key.data:
            self.idempotency_key.data = uuid.uuid4().hex

    def filled_problems(self) -> list[tuple[int, ProblemForm]]:
        """(row index, row) for the rows with something in them."""
        return [(i, entry.form) for i, entry in enumerate(self.problems) if not entry.form.is_blank()]

    def to_input(self, other_liaison_ids: list[int]) -> VisitInput:
        return VisitInput(
            visited_on=self.visited_on.data,
            mode=self.mode.data or "",
            liaison_ids=list(self.liaisons.data or []) + other_liaison_ids,
            people_met=(self.people_met.data or "").strip(),
            policy_ids=list(self.policies.data or []),
            other_topics=(self.other_topics.data or "").strip(),
            findings=(self.findings.data or "").strip(),
            problems=[row.to_input() for _i, row in self.filled_problems()],
            idempotency_key=self.idempotency_key.data or None,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put the service's errors next to their fields (problem rows by their own index)."""
        rows = [i for i, _row in self.filled_problems()]
        for name, message in errors.items():
            field = self._field_for(name, rows)
            if field is None:
                field = self.findings
            field.errors = list(field.errors or []) + [message]

    def _field_for(self, name: str, rows: list[int]):
        if name.startswith("problems-"):
            _p, index, attr = name.split("-", 2)
            entry = self.problems.entries[rows[int(index)]]
            return getattr(entry.form, attr, None)
        return getattr(self, name, None)


class PolicyForm(CrmForm):
    title = StringField(_l("政策名称"), validators=[DataRequired(message=_l("请填写政策名称。")), Length(max=100)])
    summary = TextAreaField(_l("要点（选填）"), validators=[Optional(), Length(max=2000)])
    tags = SelectMultipleField(_l("适用企业标签（不选则适用所有企业）"), coerce=int, validate_choice=False)
    active = BooleanField(_l("在用"), default=True)

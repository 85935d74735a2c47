"""Sections other features add to the enterprise page (visits timeline, requests list).

A feature registers a section when its views module is imported; the detail page renders
each registered section in its named block, so adding one needs no change to our template:

    from crm.enterprises.sections import detail_section

    @detail_section("visits_timeline", "visits/_enterprise_timeline.html")
    def visits_context(enterprise, user):
        return {"visits": ...}      # the partial also gets `enterprise` and `current_user`

Known slots: "visits_timeline", "requests_list" (and "extra" for anything else).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from flask import render_template
from markupsafe import Markup

SLOTS = ("visits_timeline", "requests_list", "extra")


@dataclass(frozen=True)
class Section:
    slot: str
    template: str
    context: Optional[Callable[..., dict[str, Any]]]
    order: int = 0


_SECTIONS: list[Section] = []


def register(slot: str, template: str, context: Optional[Callable[..., dict]] = None, order: int = 0) -> None:
    if slot not in SLOTS:
        raise ValueError(f"unknown enterprise page slot {slot!r}; use one of {SLOTS}")
    _SECTIONS[:] = [s for s in _SECTIONS if not (s.slot == slot and s.template == template)]
    _SECTIONS.append(Section(slot, template, context, order))


def detail_section(slot: str, template: str, order: int = 0):
    """Decorator form of register(): the function returns the partial's extra context."""

    def decorator(func):
        register(slot, template, func, order)
        return func

    return decorator


def render_sections(enterprise, user) -> dict[str, Markup]:
    """Slot -> rendered HTML (empty Markup for a slot nobody filled)."""
    out = {slot: Markup("") for slot in SLOTS}
    for section in sorted(_SECTIONS, key=lambda s: s.order):
        context = section.context(enterprise, user) if section.context else {}
        if context is None:  # the feature has nothing to show for this enterprise or user
            continue
        out[section.slot] += Markup(render_template(section.template, enterprise=enterprise, **context))
    return out

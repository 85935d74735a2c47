"""City-scale requests for the benchmarks: 200,000 requests in every state, with their rounds and events.

Each request follows one life (a "fate", in the shares of crm/demo/requests.py): assigned, signed
for, replied and rated; or answered on site, rejected, returned to triage, returned twice and
escalated, escalated, extended, replied late, rated unsatisfied and reassigned or closed, left
unrated and closed by the tick, or stalled past its deadline. Its dated steps are replayed with
the workflow's own rules (crm/requests/steps.py: round dates, on-time, the rating window, an urge
notice every 3 working days while overdue) until "today" (2026-11-24): steps after today have not
happened, so recent requests are open in every state. The rows are then bulk-inserted (executemany
on SQLite, COPY on PostgreSQL) by bench/coverage_data.py's loader; about a minute.
"""
from __future__ import annotations

import bisect
import json
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone

from bench.coverage_data import TODAY

FIRST_DAY = date(2025, 1, 2)
CATEGORIES = [("政策咨询", 5), ("审批办证", 10), ("人才用工", 10), ("法律服务", 10), ("水电气网", 10),
              ("融资", 15), ("市场拓展", 15), ("用地规划", 20), ("其他", 7)]
DEPARTMENTS = [
    ("JW", "区经委"), ("FGW", "区发展改革委"), ("KW", "区科委"), ("CZJ", "区财政局"),
    ("RSJ", "区人社局"), ("GHZY", "区规划资源局"), ("STHJ", "区生态环境局"), ("JSGL", "区建设管理委"),
    ("JTW", "区交通委"), ("NYNC", "区农业农村委"), ("SWW", "区商务委"), ("SCJG", "区市场监管局"),
    ("SWJ", "区税务局"), ("JRB", "区金融办"), ("SWU", "区水务局"), ("SFJ", "区司法局"),
    ("YJGL", "区应急管理局"), ("XF", "区消防救援支队"), ("GD", "区供电公司"), ("XZFW", "区行政服务中心"),
]
FATES = {"normal": 40, "late": 10, "extension": 6, "returned": 6, "unsatisfied": 5, "unrated": 6,
         "escalated": 3, "double_return": 1, "reject": 4, "late_accept": 3, "on_site": 10, "stalled": 6}
SOURCES = {"visit": 40, "public": 30, "phone": 20, "api": 10}
OUTCOMES = {"resolved": 7, "partly": 2, "not_solvable": 1}
URGE_EVERY_DAYS = 3
RATING_WINDOW_DAYS = 10


class Days:
    """Working-day arithmetic over the benchmark's span with the app's own calendar (no overrides)."""

    def __init__(self, first: date, last: date):
        from crm.calendar.workdays import WorkCalendar

        cal = WorkCalendar()
        span = (last - first).days + 1
        self.work = [d for d in (first + timedelta(days=i) for i in range(span)) if cal.is_working_day(d)]

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day`; n = 0: `day` itself when working, else the next one."""
        if n == 0:
            i = bisect.bisect_left(self.work, day)
            return self.work[i]
        return self.work[bisect.bisect_right(self.work, day) + n - 1]

    def between(self, a: date, b: date) -> int:
        return max(0, bisect.bisect_right(self.work, b) - bisect.bisect_right(self.work, a))


def _at(day: date, seq: int) -> datetime:
    # Office hours in Shanghai (UTC+8), in step order within a day.
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone.utc) + timedelta(minutes=seq)


class _Life:
    """One request's state as its steps are applied; mirrors crm/requests/steps.py."""

    def __init__(self, gen: "_Generator", row: dict):
        self.g, self.r = gen, row
        self.events: list[tuple] = []
        self.rounds: list[dict] = []
        self.urges: list[tuple[date, int, date, date, int]] = []
        self.last_urge: date | None = None

    def event(self, day, action, actor, dept, to_state, data=None, text=None, kind=None, public=True,
              label=None):
        self.events.append((day, action, actor, dept, self.r["state"], to_state, data, text, kind, public, label))
        self.r["state"] = to_state

    def open_round(self):
        return next((rd for rd in self.rounds if rd["ended_on"] is None), None)

    def end_round(self, day, reason):
        rd = self.open_round()
        if rd is not None:
            rd["ended_on"], rd["end_reason"] = day, reason

    def clear_round(self):
        for name in ("lead_department_id", "assigned_on", "time_limit_days", "accept_due_on", "accepted_on",
                     "original_deadline", "deadline", "extension_days", "extension_reason", "extension_status",
                     "escalated_on"):
            self.r[name] = None

    # --- steps ---------------------------------------------------------------------------------

    def assign(self, day, dept, limit, again=False):
        r, days = self.r, self.g.days
        self.end_round(day, "reassigned")
        self.clear_round()
        for name in ("reply", "outcome", "replied_on", "replied_by_department_id", "on_time", "rating",
                     "rated_on", "rated_via", "closed_on"):
            r[name] = None
        deadline = days.add(day, limit)
        r.update(lead_department_id=dept, assigned_on=day, time_limit_days=limit,
                 accept_due_on=days.add(day, 1), original_deadline=deadline, deadline=deadline)
        self.rounds.append({"dept": dept, "assigned_on": day, "limit": limit, "deadline": deadline,
                            "ended_on": None, "end_reason": None})
        self.event(day, "assign", self.g.commission, None, "assigned", {
            "lead_department_id": dept, "lead_department": self.g.dept_name[dept], "cooperating": [],
            "time_limit_days": limit, "deadline": deadline.isoformat(), "provisional": False,
            "again": again, "previous": None})

    def accept(self, day):
        r = self.r
        r["accepted_on"] = day
        self.event(day, "accept", self.g.handler[r["lead_department_id"]], r["lead_department_id"], "in_progress",
                   {"late": r["accept_due_on"] < day})

    def return_(self, day):
        r = self.r
        dept = r["lead_department_id"]
        second = r["return_count"] >= 1
        r["return_count"] += 1
        self.end_round(day, "returned")
        data = {"department": self.g.dept_name[dept], "returns": r["return_count"]}
        if second:
            r["escalated_on"] = day
            self.event(day, "return", self.g.handler[dept], dept, "escalated", data, "职责争议，请区里协调。",
                       public=False)
        else:
            self.clear_round()
            self.event(day, "return", self.g.handler[dept], dept, "submitted", data, "该事项不属于本单位职责。",
                       public=False)

    def request_extension(self, day, n):
        r = self.r
        r.update(extension_days=n, extension_reason="需等待市级部门出具意见。", extension_status="pending")
        self.event(day, "request_extension", self.g.handler[r["lead_department_id"]], r["lead_department_id"],
                   "in_progress", {"days": n}, r["extension_reason"], public=False)

    def approve_extension(self, day):
        r = self.r
        old = r["deadline"]
        r["extension_status"] = "approved"
        r["deadline"] = self.g.days.add(r["assigned_on"], r["time_limit_days"] + r["extension_days"])
        self.open_round()["deadline"] = r["deadline"]
        self.event(day, "approve_extension", self.g.commission, None, "in_progress", {
            "days": r["extension_days"], "old_deadline": old.isoformat(), "deadline": r["deadline"].isoformat(),
            "approved": True}, "同意延期，请按期办结。")

    def escalate(self, day):
        r = self.r
        dept = r["lead_department_id"]
        r["escalated_on"] = day
        self.end_round(day, "escalated")
        self.event(day, "escalate", self.g.handler[dept], dept, "escalated", {"department": self.g.dept_name[dept]},
                   "涉及用地指标和规划调整，需区政府统筹协调。")

    def reply(self, day, outcome):
        r = self.r
        escalated = r["state"] == "escalated"
        if r["deadline"] is None:
            on_time = True
        elif escalated and r["escalated_on"] is not None:
            on_time = r["escalated_on"] <= r["deadline"]
        else:
            on_time = day <= r["deadline"]
        # After an escalation the commission (no department of its own here) answers itself.
        dept = None if escalated else r["lead_department_id"]
        actor = self.g.commission if escalated else self.g.handler[dept]
        r.update(on_time=on_time, reply="已与企业对接，明确了解决路径。", outcome=outcome, replied_on=day,
                 replied_by_department_id=dept)
        if not escalated:
            self.end_round(day, "replied")
        self.event(day, "reply", actor, dept, "replied", {
            "outcome": outcome, "on_time": on_time, "department": self.g.dept_name.get(dept)})

    def answer_on_site(self, day, outcome):
        self.r.update(reply="现场已答复企业。", outcome=outcome, replied_on=day, on_time=True)
        self.event(day, "answer_on_site", self.g.liaison(), None, "answered_on_site", {"outcome": outcome})

    def reject(self, day):
        self.r.update(reject_reason="该事项属于企业间民事纠纷，建议通过司法途径解决。", closed_on=day)
        self.event(day, "reject", self.g.commission, None, "rejected", None, self.r["reject_reason"])

    def rate(self, day, rating):
        r = self.r
        via = "link" if r["source"] == "public" else "call"
        r.update(rating=rating, rated_on=day, rated_via=via)
        satisfied = rating in ("very_satisfied", "satisfied", "basically")
        if satisfied:
            r["closed_on"] = day
        self.event(day, "rate", None if via == "link" else self.g.liaison(), None,
                   "closed" if satisfied else "reviewing", {"rating": rating, "via": via},
                   label="public" if via == "link" else None)

    def close_unrated(self, day):
        self.r["closed_on"] = day
        self.event(day, "close_unrated", None, None, "closed", {"unrated": True}, label="tick")

    def close(self, day):
        self.r["closed_on"] = day
        self.event(day, "close", self.g.commission, None, "closed", {"after_review": True}, "经复核，答复符合政策规定。")

    def note(self, day, kind):
        r = self.r
        dept = r["lead_department_id"]
        self.event(day, "note", self.g.handler[dept], dept, r["state"], None,
                   "企业补充材料尚未提交，预计下周答复。" if kind == "explanation" else "已电话联系企业。",
                   kind=kind, public=False)

    def urges_until(self, stop: date):
        """The tick's urge notices while the current round is overdue, up to `stop` (exclusive)."""
        r, days = self.r, self.g.days
        if r["state"] not in ("assigned", "in_progress") or r["deadline"] is None:
            return
        day = days.add(r["deadline"], 1)
        if self.last_urge is not None and self.last_urge >= r["assigned_on"]:
            day = max(day, days.add(self.last_urge, URGE_EVERY_DAYS))
        while day < stop and day <= TODAY:
            self.last_urge = day
            self.urges.append((day, r["lead_department_id"], r["assigned_on"], r["deadline"],
                               days.between(r["deadline"], day)))
            self.event(day, "urge", None, None, r["state"], {"overdue_days": days.between(r["deadline"], day)},
                       label="tick", public=False)
            day = days.add(day, URGE_EVERY_DAYS)


class _Generator:
    def __init__(self, rng: random.Random, enterprises: int, first_user: int, liaisons: int):
        self.rng, self.enterprises, self.liaisons = rng, enterprises, liaisons
        self.days = Days(date(2024, 12, 1), date(2027, 12, 31))
        self.dept_ids = list(range(1, len(DEPARTMENTS) + 1))
        self.dept_name = {i: name for i, (_code, name) in enumerate(DEPARTMENTS, start=1)}
        #: One handler per department, then a commission user (no department).
        self.handler = {dept: first_user + dept - 1 for dept in self.dept_ids}
        self.commission = first_user + len(DEPARTMENTS)

    def liaison(self) -> int:
        return self.rng.randrange(1, self.liaisons + 1)

    def pick(self, weights: dict) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def live(self, life: _Life, fate: str) -> None:
        """Apply the fate's steps in date order while they are not after today."""
        rng, days, r = self.rng, self.days, life.r
        limit = CATEGORIES[r["category_id"] - 1][1]
        limit = max(1, limit // 2) if r["urgent"] else limit
        lead = rng.choice(self.dept_ids)
        steps = []  # (day, callable) in order; each runs only while its day <= TODAY
        start = days.add(r["submitted_on"], rng.choice([0, 0, 1]))
        if fate == "reject":
            steps.append((start, lambda d: life.reject(d)))
        elif fate == "on_site":
            steps.append((r["submitted_on"], lambda d: life.answer_on_site(d, self.pick(OUTCOMES))))
            self._rating(steps, life, days.add(r["submitted_on"], rng.randint(1, 6)), fate)
        else:
            assign_on = start
            if fate in ("returned", "double_return"):
                wrong = rng.choice([d for d in self.dept_ids if d != lead])
                steps.append((assign_on, lambda d, w=wrong: life.assign(d, w, limit)))
                steps.append((days.add(assign_on, 1), lambda d: life.return_(d)))
                assign_on = days.add(assign_on, 2)
            steps.append((assign_on, lambda d: life.assign(d, lead, limit, again=r["return_count"] > 0)))
            accept_on = days.add(assign_on, 3 if fate == "late_accept" else (0 if rng.random() < 0.6 else 1))
            steps.append((accept_on, lambda d: life.accept(d)))
            deadline = days.add(assign_on, limit)
            if fate == "double_return":
                steps.append((days.add(accept_on, 1), lambda d: life.return_(d)))
                reply_on = days.add(accept_on, 12)
            elif fate == "escalated":
                steps.append((days.add(accept_on, 2), lambda d: life.escalate(d)))
                reply_on = days.add(accept_on, 15)
            elif fate == "stalled":
                if rng.random() < 0.3:
                    steps.append((days.add(deadline, 2), lambda d: life.note(d, "explanation")))
                reply_on = None  # never replied: overdue today, urged every 3 working days
            else:
                reply_on = days.add(accept_on, rng.randint(1, max(1, limit - 1)))
                if fate == "extension":
                    ask = days.add(accept_on, max(1, limit - 2))
                    n = min(limit, 5)
                    steps.append((ask, lambda d: life.request_extension(d, n)))
                    steps.append((days.add(ask, 1), lambda d: life.approve_extension(d)))
                    reply_on = days.add(deadline, rng.randint(1, n))
                elif fate == "late":
                    reply_on = days.add(deadline, rng.randint(2, 9))
            if rng.random() < 0.2:
                steps.append((days.add(accept_on, 1), lambda d: life.note(d, "note")))
            if reply_on is not None:
                steps.append((reply_on, lambda d: life.reply(d, self.pick(OUTCOMES))))
                self._rating(steps, life, days.add(reply_on, rng.randint(1, 6)), fate)
                if fate == "unsatisfied":
                    review_on = days.add(reply_on, 8)
                    if rng.random() < 0.5:
                        steps.append((review_on, lambda d: life.assign(d, lead, max(1, limit // 2), again=True)))
                        steps.append((days.add(review_on, 1), lambda d: life.accept(d)))
                        again = days.add(review_on, 3)
                        steps.append((again, lambda d: life.reply(d, "resolved")))
                        self._rating(steps, life, days.add(again, 2), "normal")
                    else:
                        steps.append((review_on, lambda d: life.close(d)))
        steps.sort(key=lambda s: s[0])  # stable: same-day steps keep their order
        for day, step in steps:
            if day > TODAY:
                break
            life.urges_until(day)
            step(day)
        life.urges_until(TODAY + timedelta(days=1))

    def _rating(self, steps, life: _Life, day: date, fate: str) -> None:
        if fate == "unrated":
            # The tick closes it the working day after the rating window.
            steps.append((self.days.add(day, RATING_WINDOW_DAYS + 1), lambda d: life.close_unrated(d)))
            return
        rating = (self.rng.choice(["unsatisfied", "very_unsatisfied"]) if fate == "unsatisfied" else
                  self.rng.choices(["very_satisfied", "satisfied", "basically"], [4, 5, 1])[0])
        steps.append((day, lambda d: life.rate(d, rating)))


def _titles():
    from crm.demo.requests import PUBLIC_TITLES

    return [PUBLIC_TITLES[name] for name, _days in CATEGORIES]


def generate(rng: random.Random, count: int, enterprises: int, liaisons: int, first_user: int) -> dict:
    """Rows per table (departments, categories, bench users, requests, rounds, events, urge notices)."""
    gen = _Generator(rng, enterprises, first_user, liaisons)
    titles = _titles()
    span = (TODAY - FIRST_DAY).days + 1
    submitted = sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(count))
    req_rows, round_rows, event_rows, urge_rows = [], [], [], []
    serial: dict[int, int] = {}
    recent = TODAY - timedelta(days=120)
    for rid, on in enumerate(submitted, start=1):
        serial[on.year] = serial.get(on.year, 0) + 1
        ent = rng.randrange(1, enterprises + 1) if rng.random() > 0.03 else None
        category = rng.randrange(1, len(CATEGORIES) + 1)
        source = gen.pick(SOURCES)
        row = {
            "id": rid, "number": f"{on.year}-{serial[on.year]:06d}", "enterprise_id": ent,
            "enterprise_name": f"企业{ent:06d}有限公司" if ent else f"未入库企业{rid}",
            "credit_code": f"91310151{ent:010d}" if ent else None,
            "town_id": ent % 12 + 1 if ent else rng.randrange(1, 13), "source": source,
            "category_id": category, "urgent": rng.random() < 0.1,
            "title": rng.choice(titles[category - 1]), "description": "企业反映的问题，请协助解决。",
            "contact_name": "王经理", "contact_mobile": f"139{rid:08d}", "state": "submitted", "submitted_on": on,
            "created_at": _at(on, 0), "return_count": 0,
        }
        life = _Life(gen, row)
        actor = gen.liaison() if source in ("visit", "phone") else None
        life.event(on, "submit", actor, None, "submitted", {
            "number": row["number"], "source": source, "category": CATEGORIES[category - 1][0], "visit_id": None},
            label="public" if source == "public" else ("api" if source == "api" else None))
        fate = gen.pick(FATES)
        if fate == "stalled" and on < recent:
            fate = "late"
        gen.live(life, fate)
        req_rows.append(row)
        for rd in life.rounds:
            round_rows.append((len(round_rows) + 1, rid, rd["dept"], "[]", rd["assigned_on"], rd["limit"],
                               rd["deadline"], gen.commission, rd["ended_on"], rd["end_reason"]))
        for seq, (day, action, actor_id, dept, frm, to, data, text, kind, public, label) in enumerate(life.events):
            event_rows.append((len(event_rows) + 1, rid, _at(day, seq), day, actor_id, label, dept, action, frm, to,
                               text, kind, public, json.dumps(data, ensure_ascii=False) if data is not None else None))
        for day, dept, assigned_on, deadline, overdue in life.urges:
            n = len(urge_rows) + 1
            urge_rows.append((n, f"催办〔{day.year}〕{n:06d}号", rid, dept, day, assigned_on, deadline, overdue,
                              "请抓紧办理并及时答复企业。", True, _at(day, 0)))
    request_columns = ("id", "number", "enterprise_id", "enterprise_name", "credit_code", "town_id", "source",
                       "category_id", "urgent", "title", "description", "contact_name", "contact_mobile", "state",
                       "submitted_on", "created_at", "lead_department_id", "assigned_on", "time_limit_days",
                       "accept_due_on", "accepted_on", "original_deadline", "deadline", "extension_days",
                       "extension_reason", "extension_status", "return_count", "escalated_on", "reply", "outcome",
                       "replied_on", "replied_by_department_id", "on_time", "reject_reason", "rating", "rated_on",
                       "rated_via", "closed_on")
    bench_users = [(first_user + i - 1, f"bench-dept{i}", f"{name}经办人", "x", None, i)
                   for i, (_code, name) in enumerate(DEPARTMENTS, start=1)]
    bench_users.append((gen.commission, "bench-commission-actor", "经委督办", "x", None, None))
    return {
        "departments": (("id", "code", "name"), [(i, code, name) for i, (code, name) in enumerate(DEPARTMENTS, 1)]),
        "request_categories": (("id", "name", "time_limit_days", "position"),
                               [(i, name, days, i) for i, (name, days) in enumerate(CATEGORIES, start=1)]),
        "users": (("id", "login", "name", "password_hash", "town_id", "department_id"), bench_users),
        "requests": (request_columns, [tuple(r.get(c) for c in request_columns) for r in req_rows]),
        "request_assignments": (("id", "request_id", "lead_department_id", "cooperator_ids", "assigned_on",
                                 "time_limit_days", "deadline", "assigned_by_id", "ended_on", "end_reason"),
                                round_rows),
        "request_events": (("id", "request_id", "at", "on", "actor_id", "actor_label", "actor_department_id",
                            "action", "from_state", "to_state", "text", "kind", "public", "data"), event_rows),
        "urge_notices": (("id", "number", "request_id", "department_id", "issued_on", "assigned_on", "deadline",
                          "overdue_days", "instructions", "automatic", "created_at"), urge_rows),
        "number_counters": (("series", "year", "last"),
                            [("request", y, n) for y, n in serial.items()]
                            + [("urge", y, len(urge_rows)) for y in sorted({u[4].year for u in urge_rows})]),
    }


def ensure_requests(app, count: int = 200_000, seed: int = 15) -> None:
    """Generate and insert the requests unless the database has them already (idempotent)."""
    from sqlalchemy import text

    from bench.coverage_data import insert_rows
    from crm.db import db

    with app.app_context():
        if db.session.execute(text("SELECT count(*) FROM requests")).scalar():
            return
        enterprises = db.session.execute(text("SELECT max(id) FROM enterprises")).scalar() or 0
        liaisons = db.session.execute(text("SELECT max(id) FROM users")).scalar() or 0
        db.session.rollback()
        started = time.perf_counter()
        tables = generate(random.Random(seed), count, enterprises, liaisons, liaisons + 1)
        print(f"requests generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        insert_rows(db.engine, tables)
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(f"requests loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)

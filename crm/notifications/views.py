"""The bell: unread count in the top bar, the list, opening one (marks it read)."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from crm.db import db, utcnow
from crm.notifications import bp
from crm.notifications.models import Channel, Notification
from crm.pagination import paginate
from crm.redirects import safe_next


def _mine():
    return select(Notification).where(Notification.user_id == current_user.id,
                                      Notification.channel == Channel.APP.value)


@bp.app_context_processor
def _bell():
    def unread_notifications() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        return db.session.scalar(select(func.count()).select_from(
            _mine().where(Notification.read_at.is_(None)).subquery())) or 0

    return {"unread_notifications": unread_notifications}


@bp.route("/")
@login_required
def index():
    page = paginate(_mine().order_by(Notification.id.desc()))
    return render_template("notifications/index.html", page=page)


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    note = db.first_or_404(_mine().where(Notification.id == notification_id))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return redirect(safe_next(note.link, url_for("notifications.index")))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.channel == Channel.APP.value,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return redirect(url_for("notifications.index"))


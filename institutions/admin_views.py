"""The platform admin's pages: brands, the mail outbox, the audit chain's health."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from institutions import audit, brands, mail_sender
from institutions.access import platform_admin
from institutions.forms import ActionForm, BrandForm
from institutions.models import OutboxMessage
from institutions.view_helpers import act_and_redirect, commit_or_refuse

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.route("/", methods=["GET", "POST"])
@platform_admin
def brand_list():
    """The brands hosted, and a form to create one with its first staff invitation."""
    form = BrandForm()
    if form.validate_on_submit():
        ok, brand = commit_or_refuse(lambda: brands.create_brand(
            current_user, name=form.name.data, slug=form.slug.data, description=form.description.data or "",
            colour=form.colour.data, country=form.country.data, first_staff_email=form.first_staff_email.data,
        ), form)
        if ok:
            flash(_("The brand %(name)s is created.", name=brand.name), "success")
            return redirect(url_for("admin.brand_list"))
    status = 422 if form.errors else 200
    return render_template("admin/brands.html", brands=brands.list_brands(), form=form), status


@blueprint.get("/outbox")
@platform_admin
def outbox():
    """The last e-mails queued, each with where it stands (waiting, retry at, sent, failed and why)."""
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render_template("admin/outbox.html", messages=messages, state=mail_sender.state, form=ActionForm(),
                           max_attempts=current_app.config["MAIL_MAX_ATTEMPTS"])


@blueprint.post("/outbox/<int:message_id>/retry")
@platform_admin
def retry_message(message_id: int):
    """Put a failed e-mail back in the queue now."""
    message = db.get_or_404(OutboxMessage, message_id)
    return act_and_redirect(ActionForm(), lambda: mail_sender.retry_now(message, current_user),
                            done=_("The message will be sent again with the next run."),
                            to=url_for("admin.outbox"), refused_to=url_for("admin.outbox"))


@blueprint.get("/audit")
@platform_admin
def audit_health():
    """Recompute the audit chain, say whether it is intact (and holds a kept head), and show its head."""
    typed = request.args.get("head", "").strip()
    kept_head, head_error = None, None
    if typed:
        try:
            kept_head = audit.parse_head(typed)
        except ValueError:
            head_error = _("Write the kept head as the event number, a colon and the 64 hexadecimal digits of "
                           "its fingerprint, for example 12:%(hash)s.", hash="0" * 64)
    report = audit.verify_chain(kept_head=kept_head)
    return render_template("admin/audit.html", report=report, chain_head=report.head or audit.chain_head(),
                           kept_head=kept_head, typed_head=typed, head_error=head_error), 422 if head_error else 200

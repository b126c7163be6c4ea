"""The president's representations to the brand, and the brand's answers."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from extensions import db
from institutions import charter
from institutions.representations import service as representations
from institutions.access import brand_public, brand_signed_in, brand_staff
from institutions.dashboard import DashboardItem
from institutions.forms import ActionForm
from institutions.models import Brand
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("representations", __name__, url_prefix="/b/<slug>/representations")
PAGE_SIZE = 30


class RepresentationForm(FlaskForm):
    """The president's representation: a title and the text the brand must answer."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=representations.MAX_TITLE)])
    body = TextAreaField(_l("What the community asks of the brand"),
                         validators=[DataRequired(), Length(max=representations.MAX_BODY)],
                         description=_l("Published on the brand's representations page as you write it."))
    submit = SubmitField(_l("File the representation"))


class AnswerForm(FlaskForm):
    """The brand's public answer."""

    answer = RadioField(_l("The brand's answer"), choices=[SelectChoice(key, label) for key, label in representations.ANSWERS.items()],
                        validators=[DataRequired()])
    reasons = TextAreaField(_l("Reasons (published with the answer)"),
                            validators=[DataRequired(), Length(max=representations.MAX_REASONS)])
    submit = SubmitField(_l("Publish the answer"))


def _detail(brand: Brand, representation_id: int):
    return redirect(url_for("representations.detail", slug=brand.slug, representation_id=representation_id))


@blueprint.get("")
@brand_public
def index(brand):
    """Every representation with its status, due date and time left; overdue ones say so."""
    page = db.paginate(representations.representations_query(brand), per_page=PAGE_SIZE, error_out=False)
    return render_template("representations/index.html", brand=brand, page=page,
                           counts=representations.cosignature_counts(page.items),
                           president=charter.sitting_president(brand),
                           response_days=representations.response_days_of(brand),
                           can_file=representations.can_file_representation(current_user, brand))


@blueprint.route("/new", methods=["GET", "POST"])
@brand_signed_in
def new(brand):
    """The sitting president files a representation."""
    if not representations.can_file_representation(current_user, brand):
        return render_template("representations/not_president.html", brand=brand,
                               president=charter.sitting_president(brand)), 403
    form = RepresentationForm()
    if form.validate_on_submit():
        ok, representation = commit_or_refuse(lambda: representations.file(
            brand, current_user, title=form.title.data, body=form.body.data), form)
        if ok:
            flash(_("The representation is filed: the brand must answer it by the date shown."), "success")
            return _detail(brand, representation.id)
    return render_template("representations/new.html", brand=brand, form=form,
                           response_days=representations.response_days_of(brand)), 422 if form.errors else 200


@blueprint.get("/<int:representation_id>")
@brand_public
def detail(brand, representation_id: int):
    """One representation: its text, co-signatures, deadline, and the brand's answer."""
    representation = representations.representation_in_brand(brand, representation_id)
    show_names = representations.can_see_cosigners(current_user, representation)
    return render_template(
        "representations/detail.html", brand=brand, r=representation,
        cosigned_count=representations.cosignature_counts([representation])[representation.id],
        cosigner_names=representations.cosigners(representation) if show_names else None,
        can_cosign=representations.can_cosign_representation(current_user, representation),
        has_cosigned=representations.has_cosigned(current_user, representation),
        can_answer=representations.can_answer_representation(current_user, brand),
        answer_form=AnswerForm(), action_form=ActionForm())


@blueprint.post("/<int:representation_id>/cosign")
@brand_signed_in
def cosign(brand, representation_id: int):
    """A verified member co-signs."""
    representation = representations.representation_in_brand(brand, representation_id)
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: representations.cosign(representation, current_user))
        if ok:
            flash(_("You co-signed the representation."), "success")
    return _detail(brand, representation_id)


@blueprint.post("/<int:representation_id>/acknowledge")
@brand_staff
def acknowledge(brand, representation_id: int):
    """Staff acknowledge receipt (the deadline keeps running)."""
    representation = representations.representation_in_brand(brand, representation_id)
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: representations.acknowledge(representation, current_user))
        if ok:
            flash(_("Receipt acknowledged: the president and the co-signers are told."), "success")
    return _detail(brand, representation_id)


@blueprint.post("/<int:representation_id>/answer")
@brand_staff
def answer(brand, representation_id: int):
    """Staff publish the brand's answer, with reasons."""
    representation = representations.representation_in_brand(brand, representation_id)
    form = AnswerForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: representations.answer(
            representation, current_user, decision=form.answer.data, reasons=form.reasons.data), form)
        if ok:
            flash(_("The answer is published."), "success")
            return _detail(brand, representation_id)
    else:
        flash(_("Choose the answer and give its reasons: both are published."), "error")
    return _detail(brand, representation_id)


# --- what other pages show -----------------------------------------------------------------------------------------

@blueprint.app_template_global()
def representation_summary(brand: Brand) -> representations.Summary:
    """How the brand treats representations, for the brand's home page."""
    return representations.summary(brand)


@blueprint.app_template_global()
def representation_due_at(representation):
    """The due date of a representation's answer (templates show it with the time left)."""
    return representations.due_at(representation)


@blueprint.app_template_global()
def representation_overdue(representation) -> bool:
    """Not answered by the due date."""
    return representations.is_overdue(representation)


@blueprint.app_template_global()
def representation_answered_late(representation) -> bool:
    """Answered after the due date."""
    return representations.answered_late(representation)


@blueprint.app_template_global()
def representation_answer_label(answer: str | None) -> str:
    """The brand's answer in words."""
    return str(representations.ANSWERS.get(answer, answer or ""))


def representation_items(brand: Brand) -> list[DashboardItem]:
    """The staff dashboard: overdue representations first, then all those waiting for an answer."""
    waiting = representations.waiting_for_answer(brand)
    overdue = sum(1 for r in waiting if representations.is_overdue(r))
    url = url_for("representations.index", slug=brand.slug)
    items = []
    if overdue:
        items.append(DashboardItem(overdue, ngettext("%(num)d representation of the president is overdue",
                                                     "%(num)d representations of the president are overdue",
                                                     overdue), url))
    items.append(DashboardItem(len(waiting), ngettext(
        "%(num)d representation of the president waits for the brand's answer",
        "%(num)d representations of the president wait for the brand's answer", len(waiting)), url))
    return items


def president_summary(brand: Brand) -> charter.OfficeSummary:
    """Under the president on the charter: the deadline the brand has to answer representations."""
    days = representations.response_days_of(brand)
    return charter.OfficeSummary(
        ngettext("The brand answers each representation publicly within %(num)d day.",
                 "The brand answers each representation publicly within %(num)d days.", days),
        link=url_for("representations.index", slug=brand.slug), link_label=_("Representations and answers"))


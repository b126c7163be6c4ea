"""The mediator's desk: cases across the brands whose panel they sit on, by nearest deadline; panel categories."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from institutions.access import signed_in
from mediation.access import apply_clock, panel_mediator
from mediation import deadlines, filing, recommendations, roster
from mediation.forms import CategoryForm, RecommendationForm
from mediation.models import Mediator, PanelSeat
from mediation.views.cases import WHOSE_LABELS
from institutions.clock import utcnow
from institutions.view_helpers import commit_or_refuse

blueprint = Blueprint("mediator", __name__, url_prefix="/mediator")


def _mediator() -> Mediator:
    """The roster entry of the signed-in account; anyone else gets 403."""
    mediator = roster.active_mediator_of(current_user)
    if mediator is None:
        abort(403)
    return mediator


@blueprint.get("/")
@signed_in
def queue():
    """The mediator's cases across brands, nearest deadline first, with the next act and from whom."""
    mediator = _mediator()
    apply_clock(None)  # the queue spans every brand the mediator sits for
    running, closed = filing.queue_of(mediator)
    seats = db.session.scalars(select(PanelSeat).where(PanelSeat.mediator_id == mediator.id,
                                                       PanelSeat.ended_at.is_(None))
                               .options(joinedload(PanelSeat.brand)).order_by(PanelSeat.appointed_at)).all()
    return render_template("mediation/queue.html", mediator=mediator, running=running, closed=closed, seats=seats,
                           nearest=deadlines.nearest, whose_labels=WHOSE_LABELS, now=utcnow(),
                           admissibility_overdue=deadlines.admissibility_overdue,
                           category_label=filing.category_label, category_form=CategoryForm())


@blueprint.route("/brands/<slug>/categories", methods=["GET", "POST"])
@panel_mediator
def categories(brand):
    """A mediator of the brand's panel reads and extends the list of categories members file under."""
    form = CategoryForm()
    if form.validate_on_submit():
        ok, category = commit_or_refuse(lambda: filing.add_category(brand, current_user, form.name.data), form)
        if ok:
            flash(_("%(name)s is added to the categories of %(brand)s.", name=category.name, brand=brand.name),
                  "success")
            return redirect(url_for("mediator.categories", slug=brand.slug))
    return _categories_page(brand, form, _recommendation_form(brand))


def _recommendation_form(brand, formdata=None) -> RecommendationForm:
    form = RecommendationForm(formdata=formdata)
    form.category.choices = [(c.id, filing.category_label(c)) for c in filing.categories_for(brand)]
    if form.year.data is None:
        form.year.data = utcnow().year
    return form


def _categories_page(brand, form: CategoryForm, recommendation_form: RecommendationForm):
    listed = filing.categories_for(brand)
    db.session.commit()  # the defaults are created the first time the list is read
    failed = form.errors or recommendation_form.errors
    return render_template("mediation/categories.html", brand=brand, categories=listed, form=form,
                           recommendation_form=recommendation_form,
                           category_label=filing.category_label), 422 if failed else 200


@blueprint.post("/brands/<slug>/recommendations")
@panel_mediator
def recommend(brand):
    """A mediator of the brand's panel publishes a recommendation on a category in a year's annual report."""
    form = _recommendation_form(brand, formdata=request.form)
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: recommendations.write_recommendation(
            brand, current_user, form.category.data, form.year.data, form.text.data), form)
        if ok:
            flash(_("The recommendation is published in the %(year)d annual report.", year=form.year.data),
                  "success")
            return redirect(url_for("mediator.categories", slug=brand.slug))
    return _categories_page(brand, CategoryForm(formdata=None), form)

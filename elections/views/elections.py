"""Election pages under /b/<slug>/elections/: calendar, candidates, the voting booth, results."""
from __future__ import annotations

import json
from datetime import timezone

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elections import ballot_box, ballots, export_jobs, exports, lifecycle, nominations, phases, recall, reminders
from elections import permissions as election_permissions
from elections.access import election_public, election_signed_in, election_staff, with_clock
from elections.ballot_forms import choice_from_form
from elections.certification import certify
from elections.eligibility import eligible_members_query
from elections.forms import ElectionForm, NominateForm, ReasonForm, StatementForm, TrackerForm
from elections.models import Election, ElectionState
from extensions import db
from institutions.access import brand_public, brand_staff
from institutions.charter import sitting_president
from institutions.clock import utcnow
from institutions.errors import DomainError
from institutions.forms import ActionForm
from institutions.models import User
from institutions.view_helpers import act_and_redirect, commit_or_refuse, show_refusal

blueprint = Blueprint("elections", __name__, url_prefix="/b/<slug>/elections")


def _detail_url(brand, election) -> str:
    return url_for("elections.detail", slug=brand.slug, election_id=election.id)


def _back(brand, election):
    return redirect(_detail_url(brand, election))


def _draft_from(form: ElectionForm) -> lifecycle.ElectionDraft:
    def utc(moment):
        return moment.replace(tzinfo=timezone.utc) if moment else None

    return lifecycle.ElectionDraft(
        title=form.title.data, description=form.description.data or "", method=form.method.data,
        nominations_open_at=utc(form.nominations_open_at.data), nominations_close_at=utc(form.nominations_close_at.data),
        voting_open_at=utc(form.voting_open_at.data), voting_close_at=utc(form.voting_close_at.data),
        endorsements_required=form.endorsements_required.data or 0, quorum_percent=form.quorum_percent.data,
        term_months=form.term_months.data, reminder_hours=form.reminder_hours.data or "",
    )


@blueprint.get("/")
@brand_public
@with_clock
def index(brand):
    """The brand's elections: running ones first, then past results."""
    include_drafts = election_permissions.can_manage_elections(current_user, brand)
    return render_template("elections/index.html", brand=brand,
                           elections=lifecycle.elections_of(brand, include_drafts=include_drafts),
                           president=sitting_president(brand), petition=recall.current_petition(brand))


@blueprint.route("/new", methods=["GET", "POST"])
@brand_staff
def create(brand):
    """Staff prepare an election as a draft."""
    form = ElectionForm()
    done = act_and_redirect(form, lambda: lifecycle.create_draft(brand, current_user, _draft_from(form)),
                            done=_("The draft is saved. Check it, then announce the election."),
                            to=lambda election: _detail_url(brand, election))
    if done is not None:
        return done
    return render_template("elections/edit.html", brand=brand, form=form, election=None), 422 if form.errors else 200


@blueprint.route("/<int:election_id>/edit", methods=["GET", "POST"])
@election_staff
def edit(brand, election):
    """Change a draft (refused once nominations are open)."""
    form = ElectionForm(obj=election)
    if request.method == "GET":
        form.method.data = election.method.value
    done = act_and_redirect(form, lambda: lifecycle.update_draft(election, current_user, _draft_from(form)),
                            done=_("The draft is saved."), to=_detail_url(brand, election))
    if done is not None:
        return done
    return render_template("elections/edit.html", brand=brand, form=form, election=election), \
        422 if form.errors else 200


@blueprint.get("/<int:election_id>")
@election_public
def detail(brand, election):
    """One election: its phase and dates, the candidates, what you can do now."""
    nominate_form = NominateForm()
    if election_permissions.can_nominate(current_user, election):
        nominate_form.nominee.choices = _nominee_choices(election)
    return render_template(
        "elections/detail.html", brand=brand, election=election, candidacies=election.candidacies,
        nominate_form=nominate_form, action_form=ActionForm(), reason_form=ReasonForm(),
        result=ballot_box.stored_result(election), option_names=ballot_box.option_names(election),
        exclusion_reasons=nominations.EXCLUSION_REASONS, render_statement=nominations.render_statement,
        turnout=ballot_box.turnout(election) if election.roll_size is not None else None,
        reminder_schedule=reminders.schedule(election),
    )


def _nominee_choices(election: Election) -> list[tuple[int, str]]:
    ids = db.session.scalars(eligible_members_query(election)).all()
    people = db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.display_name)).all()
    return [(person.id, person.display_name) for person in people]


@blueprint.post("/<int:election_id>/open")
@election_staff
def open_nominations(brand, election):
    """Announce the election: the calendar freezes; nominations open on their published date."""
    if utcnow() >= election.nominations_open_at:
        done = _("The election is announced and nominations are open; the calendar is now fixed.")
    else:
        done = _("The election is announced; the calendar is now fixed. Nominations open on %(date)s (UTC).",
                 date=election.nominations_open_at.strftime("%Y-%m-%d %H:%M"))
    return act_and_redirect(ActionForm(), lambda: lifecycle.open_nominations(election, current_user),
                            done=done, to=_detail_url(brand, election), refused_to=_detail_url(brand, election))


@blueprint.post("/<int:election_id>/cancel")
@election_staff
def cancel(brand, election):
    """Cancel the election with a public reason."""
    form = ReasonForm()
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: lifecycle.cancel(election, current_user, form.reason.data))
        if ok:
            flash(_("The election is cancelled."), "success")
    else:
        flash(_("Give the public reason for the cancellation."), "error")
    return _back(brand, election)


@blueprint.post("/<int:election_id>/certify")
@election_staff
def certify_result(brand, election):
    """Certify the stored count; the winner takes office."""
    return act_and_redirect(ActionForm(), lambda: certify(election, current_user),
                            done=_("The result is certified."),
                            to=_detail_url(brand, election), refused_to=_detail_url(brand, election))


@blueprint.post("/<int:election_id>/nominate")
@election_signed_in
def nominate(brand, election):
    """Stand as a candidate, or nominate another eligible member."""
    if not ActionForm().validate_on_submit():
        abort(400)
    nominee_id = request.form.get("nominee", type=int) if request.form.get("nominee") else current_user.id
    nominee = db.session.get(User, nominee_id)
    if nominee is None:
        flash(_("No such member."), "error")
        return _back(brand, election)
    ok, _result = commit_or_refuse(lambda: nominations.nominate(election, current_user, nominee))
    if ok:
        flash(_("You are a candidate.") if nominee.id == current_user.id
              else _("%(name)s is nominated and asked to accept.", name=nominee.display_name), "success")
    return _back(brand, election)


def _candidacy_act(brand, election, candidacy_id: int, act, message: str):
    if ActionForm().validate_on_submit():
        candidacy = nominations.candidacy_in_election(election, candidacy_id)
        ok, _result = commit_or_refuse(lambda: act(candidacy))
        if ok:
            flash(message, "success")
    return _back(brand, election)


@blueprint.post("/<int:election_id>/candidates/<int:candidacy_id>/accept")
@election_signed_in
def accept(brand, election, candidacy_id: int):
    """The nominee accepts to stand."""
    return _candidacy_act(brand, election, candidacy_id,
                          lambda c: nominations.answer_nomination(c, current_user, True), _("You are a candidate."))


@blueprint.post("/<int:election_id>/candidates/<int:candidacy_id>/decline")
@election_signed_in
def decline(brand, election, candidacy_id: int):
    """The nominee declines."""
    return _candidacy_act(brand, election, candidacy_id,
                          lambda c: nominations.answer_nomination(c, current_user, False),
                          _("You declined the nomination."))


@blueprint.post("/<int:election_id>/candidates/<int:candidacy_id>/endorse")
@election_signed_in
def endorse(brand, election, candidacy_id: int):
    """Endorse a candidate (once)."""
    return _candidacy_act(brand, election, candidacy_id, lambda c: nominations.endorse(c, current_user),
                          _("Your endorsement is recorded."))


@blueprint.post("/<int:election_id>/candidates/<int:candidacy_id>/withdraw")
@election_signed_in
def withdraw(brand, election, candidacy_id: int):
    """A candidate withdraws."""
    return _candidacy_act(brand, election, candidacy_id, lambda c: nominations.withdraw(c, current_user),
                          _("You have withdrawn."))


@blueprint.route("/<int:election_id>/candidates/<int:candidacy_id>/statement", methods=["GET", "POST"])
@election_signed_in
def statement(brand, election, candidacy_id: int):
    """The candidate writes their statement (Markdown, sanitized when shown)."""
    candidacy = nominations.candidacy_in_election(election, candidacy_id)
    if not election_permissions.is_candidate(current_user, candidacy):
        abort(403)
    form = StatementForm(statement=candidacy.statement_markdown)
    done = act_and_redirect(form, lambda: nominations.write_statement(candidacy, current_user, form.statement.data),
                            done=_("Your statement is published."), to=_detail_url(brand, election))
    if done is not None:
        return done
    return render_template("elections/statement.html", brand=brand, election=election, candidacy=candidacy,
                           form=form, preview=nominations.render_statement(form.statement.data or ""))


@blueprint.post("/<int:election_id>/candidates/<int:candidacy_id>/reject-statement")
@election_staff
def reject_statement(brand, election, candidacy_id: int):
    """Staff take down a statement for a code-of-conduct breach, with a public reason."""
    form = ReasonForm()
    candidacy = nominations.candidacy_in_election(election, candidacy_id)
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: nominations.reject_statement(candidacy, current_user, form.reason.data))
        if ok:
            flash(_("The statement is rejected; the reason is public."), "success")
    else:
        flash(_("Give the public reason: which rule of the code of conduct it breaks."), "error")
    return _back(brand, election)


@blueprint.route("/<int:election_id>/vote", methods=["GET", "POST"])
@election_signed_in
def vote(brand, election):
    """The voting booth: the ballot, then a confirmation step ("change my choice" brings the ballot back filled)."""
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit() and not request.form.get("change"):
        options = ballot_box.options_of(election)
        try:
            choice = choice_from_form(election.method, options, request.form)
            ballots.encode(election.method, options, choice)  # refuse a malformed ballot before confirming
        except DomainError as error:
            show_refusal(error)
        else:
            return render_template("elections/confirm.html", brand=brand, election=election, choice=choice,
                                   choice_json=json.dumps(choice), option_names=ballot_box.option_names(election),
                                   grades=ballots.GRADES, form=ActionForm(), ballot_fields=_ballot_fields())
    return render_template("elections/vote.html", brand=brand, election=election, form=form,
                           options=ballot_box.options_of(election), option_names=ballot_box.option_names(election),
                           candidacies=phases.ballot_candidacies(election), grades=ballots.GRADES,
                           render_statement=nominations.render_statement)


def _ballot_fields() -> list[tuple[str, str]]:
    """The ballot's fields as posted (ranks, choice, approvals, grades), carried by "change my choice"."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name in ("choice", "approvals") or name.startswith(("rank-", "grade-"))]


@blueprint.post("/<int:election_id>/vote/cast")
@election_signed_in
def cast(brand, election):
    """Cast the confirmed ballot; the tracker is shown once, here."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        choice = json.loads(request.form.get("choice", ""))
    except ValueError:
        abort(400)
    if not isinstance(choice, dict):
        abort(400)
    ok, tracker = commit_or_refuse(lambda: ballot_box.cast_ballot(election, current_user, choice))
    if not ok:
        return _back(brand, election)
    # The receipt is the answer to a POST: switching language comes back to the election page, not here.
    response = make_response(render_template("elections/tracker.html", brand=brand, election=election,
                                             tracker=tracker, language_next=_detail_url(brand, election)))
    response.headers["Cache-Control"] = "no-store"  # the tracker is shown once: never from a cache
    return response


@blueprint.route("/<int:election_id>/bulletin", methods=["GET", "POST"])
@election_public
def bulletin(brand, election):
    """The bulletin board: tracker hashes while voting, every ballot after close; check your tracker."""
    if election.state is ElectionState.DRAFT or election.roll_size is None:
        abort(404)
    # The check is a POST so that a tracker never lands in an address, a log or the history.
    form = TrackerForm()
    check = ballot_box.check_tracker(election, form.tracker.data) if form.validate_on_submit() else None
    page = ballot_box.bulletin_board(election, page=request.args.get("page", 1, type=int))
    response = make_response(render_template(
        "elections/bulletin.html", brand=brand, election=election, form=form, check=check,
        page=page, option_names=ballot_box.option_names(election), grades=ballots.GRADES,
        preflib_extension=exports.preflib_extension(election), export_job=_export_job_form(election),
        decode=lambda line: ballots.decode(election.method, line),
        show_content=exports.is_published(election)), 422 if form.errors else 200)
    if check is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/<int:election_id>/results")
@election_public
def results(brand, election):
    """Winner, turnout, blank votes and the method's detail, as tables and charts."""
    result = ballot_box.stored_result(election)
    if result is None:
        abort(404)
    return render_template("elections/results.html", brand=brand, election=election, result=result,
                           option_names=ballot_box.option_names(election),
                           preflib_extension=exports.preflib_extension(election),
                           export_job=_export_job_form(election))


@blueprint.get("/<int:election_id>/ballots.csv")
@election_public
def export_csv(brand, election):
    """The anonymized ballots as CSV, for a recount with any software."""
    if not exports.is_published(election):
        abort(404)
    return _download(exports.ballots_csv(election), "text/csv", exports.file_name(election, "csv"))


@blueprint.get("/<int:election_id>/ballots.<any(toi, cat):extension>")
@election_public
def export_preflib(brand, election, extension: str):
    """The anonymized ballots in PrefLib format (.toi rankings, .cat grades)."""
    if not exports.is_published(election) or extension != exports.preflib_extension(election):
        abort(404)
    return _download(exports.ballots_preflib(election), "text/plain", exports.file_name(election, extension))


def _export_job_form(election):
    """The "prepare the file" button's form, for a large election to a signed-in reader; None otherwise."""
    if current_user.is_authenticated and export_jobs.is_large(election):
        return ActionForm()
    return None


@blueprint.post("/<int:election_id>/ballots/prepare")
@election_signed_in
def prepare_export(brand, election):
    """Prepare the ballots file as a job (large elections): its page shows the progress, then the download."""
    return act_and_redirect(ActionForm(), lambda: export_jobs.start_export(election, current_user,
                                                                           request.form.get("format", "")),
                            done=None, to=lambda job: url_for("jobs.show", job_id=job.id),
                            refused_to=_detail_url(brand, election))


def _download(text: str, mimetype: str, name: str) -> Response:
    """A text file served as an attachment named ``name``."""
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})



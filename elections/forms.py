"""Forms of the election pages (CSRF on every one); the rules stay in the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

METHOD_CHOICES = [
    SelectChoice("plurality", _l("Plurality: one choice, most votes wins")),
    SelectChoice("approval", _l("Approval: approve any number, most approvals wins")),
    SelectChoice("irv", _l("Instant-runoff: rank candidates, last eliminated until a majority")),
    SelectChoice("schulze", _l("Schulze: rank candidates, the one who beats every other wins")),
    SelectChoice("majority-judgment", _l("Majority judgment: grade each candidate, best median wins")),
]


class ElectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    method = SelectField(_l("Voting method"), choices=METHOD_CHOICES)
    nominations_open_at = DateTimeLocalField(_l("Nominations open (UTC)"), format="%Y-%m-%dT%H:%M",
                                             validators=[DataRequired()])
    nominations_close_at = DateTimeLocalField(_l("Nominations close (UTC)"), format="%Y-%m-%dT%H:%M",
                                              validators=[DataRequired()])
    voting_open_at = DateTimeLocalField(_l("Voting opens (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    voting_close_at = DateTimeLocalField(_l("Voting closes (UTC)"), format="%Y-%m-%dT%H:%M",
                                         validators=[DataRequired()])
    endorsements_required = IntegerField(_l("Endorsements a candidate needs"), default=0,
                                         validators=[Optional(), NumberRange(0, 1000)])
    quorum_percent = IntegerField(_l("Quorum: minimum turnout in percent of the roll (empty: none)"),
                                  validators=[Optional(), NumberRange(1, 100)])
    term_months = IntegerField(_l("Term of office in months"), default=24, validators=[DataRequired(), NumberRange(1, 120)])
    reminder_hours = StringField(_l("Remind voters who have not voted: hours before voting closes (e.g. 72,24; empty: "
                                    "no reminders)"), default="72,24", validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Save the draft"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Public reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class NominateForm(FlaskForm):
    nominee = SelectField(_l("Member to nominate"), coerce=int)
    submit = SubmitField(_l("Nominate"))


class StatementForm(FlaskForm):
    statement = TextAreaField(_l("Your statement (Markdown)"), validators=[Optional(), Length(max=10000)])
    submit = SubmitField(_l("Publish my statement"))


class TrackerForm(FlaskForm):
    """A voter looks their tracker up on the bulletin board."""

    tracker = StringField(_l("Your tracker code"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Check my tracker"))


class PetitionForm(FlaskForm):
    reason = TextAreaField(_l("Why the president should be recalled"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Open the petition and sign it"))

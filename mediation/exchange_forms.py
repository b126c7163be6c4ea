"""Forms of a case's exchange and outcome (CSRF on); the rules stay in exchange.py and outcome.py.

Each form is used with a prefix on the case page (message-body, proposal-text, ...) so that its fields keep
unique ids next to the other forms of the page.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mediation import outcome


class MessageForm(FlaskForm):
    """A message on one channel; the page sets the channels this viewer may write on."""

    channel = SelectField(_l("To"), choices=[], validate_choice=True)
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=10_000)])
    submit = SubmitField(_l("Send the message"))


class NoteForm(FlaskForm):
    """The mediator's private note."""

    body = TextAreaField(_l("Private note (nobody else reads it)"), validators=[DataRequired(), Length(max=10_000)])
    submit = SubmitField(_l("Keep the note"))


class DocumentRequestForm(FlaskForm):
    """The mediator asks a party for a document and chooses who will read it."""

    from_party = SelectField(_l("Ask"), choices=[], validate_choice=True)
    description = TextAreaField(_l("The document you need, and why"), validators=[DataRequired(), Length(max=4000)])
    share_with = RadioField(_l("Who will read what is sent"), default="all",
                            choices=[SelectChoice("all", _l("Both parties and the mediator")),
                                     SelectChoice("mediator", _l("The mediator only (and the side that sends it)"))],
                            validators=[DataRequired()])
    submit = SubmitField(_l("Ask for the document"))


class UploadForm(FlaskForm):
    """A party sends the document asked for."""

    file = FileField(_l("File (PDF, PNG or JPEG, at most 5 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Send the document"))


class ExtensionForm(FlaskForm):
    reason = TextAreaField(_l("Why the case is complex"), validators=[DataRequired(), Length(max=4000)],
                           description=_l("Both parties read this reason."))
    days = IntegerField(_l("Extension (days)"), default=outcome.DEFAULT_EXTENSION_DAYS,
                        validators=[InputRequired(), NumberRange(min=1, max=outcome.MAX_EXTENSION_DAYS)])
    submit = SubmitField(_l("Extend the mediation period (once only)"))


class ProposalForm(FlaskForm):
    text = TextAreaField(_l("The proposed solution"), validators=[DataRequired(), Length(max=20_000)])
    answer_days = IntegerField(_l("Days the parties have to answer"), default=outcome.DEFAULT_ANSWER_DAYS,
                               validators=[InputRequired(), NumberRange(min=outcome.MIN_ANSWER_DAYS,
                                                                        max=outcome.MAX_ANSWER_DAYS)])
    submit = SubmitField(_l("Send the proposal to both parties"))


class AnswerForm(FlaskForm):
    """The accept and refuse buttons of a proposal (each posts to its own address)."""


class FavoursForm(FlaskForm):
    favours = RadioField(_l("The outcome favours"),
                         choices=[SelectChoice(key, label) for key, label in outcome.FAVOURS_LABELS.items()],
                         validators=[DataRequired()])
    submit = SubmitField(_l("Record the outcome"))


class ComplianceForm(FlaskForm):
    complied = RadioField(_l("Did the brand do what it agreed?"),
                          choices=[SelectChoice("yes", _l("Yes, the brand complied")),
                                   SelectChoice("no", _l("No, the brand did not comply"))],
                          validators=[DataRequired()])
    submit = SubmitField(_l("Confirm (once only)"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why you withdraw (optional)"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Withdraw my case"))

"""Forms of the mediation pillar (CSRF on): filing, admissibility, the brand's answer, objections, the roster, the
exchange and the outcome; the rules stay in the services.

The case page's forms carry a prefix (incomplete-missing, message-body, proposal-text, ...) so that their fields
keep unique ids next to each other.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (BooleanField, DateField, EmailField, IntegerField, RadioField, SelectChoice, SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mediation import outcome, roster
from mediation.admissibility import OBJECTION_DECISIONS, REFUSAL_REASONS

FILES_HELP = _l("PDF, PNG or JPEG, at most 5 MB each and 8 MB together; you can add more later from the case page.")

class FileCaseForm(FlaskForm):
    category_id = SelectField(_l("What the dispute is about"), coerce=int, choices=[], validate_choice=True)
    facts = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=10000)],
                          description=_l("Dates, order or contract numbers, what the brand did or did not do."))
    request = TextAreaField(_l("What you ask for"), validators=[DataRequired(), Length(max=4000)],
                            description=_l("A refund, a repair, a replacement, an apology..."))
    prior_complaint_on = DateField(_l("Date of your written complaint to the brand"), validators=[DataRequired()],
                                   description=_l("A mediator examines a case only after the brand had the chance to "
                                                  "answer a written complaint."))
    prior_complaint = TextAreaField(_l("Your written complaint: its content or its reference"),
                                    validators=[DataRequired(), Length(max=4000)],
                                    description=_l("Paste the e-mail, or give the ticket or letter reference."))
    complainant_country = SelectField(_l("Your country of residence"), choices=[], validate_choice=True)
    complainant_name = StringField(_l("Your full name"), validators=[Optional(), Length(max=200)])
    complainant_contact = TextAreaField(_l("How to reach you (postal address, phone)"),
                                        validators=[Optional(), Length(max=1000)])
    collective = BooleanField(_l("Make it a collective case: other members of the community may join it"))
    as_president = BooleanField(_l("File as the customer president, for the community (a collective case)"))
    attachments = MultipleFileField(_l("Attachments (optional)"), description=FILES_HELP)
    submit = SubmitField(_l("File the case"))


class PaperFilingForm(FlaskForm):
    """A platform admin or a panel mediator records a case received on paper."""

    received_on = DateField(_l("Day the letter was received"), validators=[DataRequired()])
    complainant_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    complainant_contact = TextAreaField(_l("How to reach them (postal address, phone)"),
                                        validators=[DataRequired(), Length(max=1000)])
    category_id = SelectField(_l("What the dispute is about"), coerce=int, choices=[], validate_choice=True)
    facts = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=10000)])
    request = TextAreaField(_l("What you ask for"), validators=[DataRequired(), Length(max=4000)])
    prior_complaint_on = DateField(_l("Date of your written complaint to the brand"), validators=[DataRequired()])
    prior_complaint = TextAreaField(_l("Your written complaint: its content or its reference"),
                                    validators=[DataRequired(), Length(max=4000)])
    complainant_country = SelectField(_l("Your country of residence"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Record the paper filing"))


class AttachForm(FlaskForm):
    attachments = MultipleFileField(_l("Files to add"), description=FILES_HELP)
    submit = SubmitField(_l("Add the files"))


class MissingForm(FlaskForm):
    missing = TextAreaField(_l("What is missing (the complainant reads it)"),
                            validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Mark as incomplete and stop the clock"))


class CompleteForm(FlaskForm):
    information = TextAreaField(_l("What you add"), validators=[DataRequired(), Length(max=4000)])
    prior_complaint_on = DateField(_l("Corrected date of your written complaint (optional)"), validators=[Optional()])
    prior_complaint = TextAreaField(_l("Corrected content or reference of your written complaint (optional)"),
                                    validators=[Optional(), Length(max=4000)])
    attachments = MultipleFileField(_l("Files to add (optional)"), description=FILES_HELP)
    submit = SubmitField(_l("Send: my case is complete"))


class RefuseForm(FlaskForm):
    reason = SelectField(_l("Reason (from the fixed list)"),
                         choices=[SelectChoice(key, label) for key, label in REFUSAL_REASONS.items()],
                         validate_choice=True)
    note = TextAreaField(_l("Explanation for the complainant (optional)"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Refuse the case"))


class BrandAnswerForm(FlaskForm):
    answer = TextAreaField(_l("The brand's answer to the complaint"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Take part in the mediation"))


class BrandDeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why the brand declines (optional)"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Decline to take part (the case closes)"))


class ObjectionForm(FlaskForm):
    reason = TextAreaField(_l("Why you object to this mediator"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Object to the mediator"))


class CategoryForm(FlaskForm):
    name = StringField(_l("New category"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add to the list"))


class MediatorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail of the mediator's account"), validators=[DataRequired(), Length(max=254)],
                       description=_l("The mediator signs up first; the roster entry is linked to that account."))
    qualifications = TextAreaField(_l("Qualifications"), validators=[DataRequired(), Length(max=4000)])
    appointing_body = StringField(_l("Appointing body"), validators=[DataRequired(), Length(max=200)])
    term_starts_on = DateField(_l("Term starts on"), validators=[DataRequired()])
    term_ends_on = DateField(_l("Term ends on (at least three years later)"), validators=[DataRequired()])
    declaration_of_interests = TextAreaField(_l("Declaration of interests"),
                                             validators=[DataRequired(), Length(max=4000)])
    # Who pays (L.613-1, L.613-2) and what the public page shows (R.614-1); the service checks them.
    paid_by = SelectField(_l("Who pays the mediator"),
                          choices=[SelectChoice(key, label) for key, label in roster.PAYERS.items()],
                          validate_choice=True, default="platform")
    payer_name = StringField(_l("Name of the third party who pays (if a third party pays)"),
                             validators=[Optional(), Length(max=200)])
    paid_independently_of_outcome = BooleanField(_l("The pay does not depend on the outcome of cases"),
                                                 description=_l("Only then does the public page say so."))
    collegial_consumer_associations = TextAreaField(
        _l("Collegial body: the approved consumer associations (one a line; at least two when the brand pays)"),
        validators=[Optional(), Length(max=4000)])
    collegial_professional_representatives = TextAreaField(
        _l("Collegial body: the representatives of the professional (one a line; at least two when the brand pays)"),
        validators=[Optional(), Length(max=4000)])
    appointment_decision = TextAreaField(_l("The appointment decision (body, date, reference)"),
                                         validators=[Optional(), Length(max=4000)])
    postal_address = TextAreaField(_l("Postal address of the mediator"), validators=[Optional(), Length(max=400)])
    contact_email = EmailField(_l("Public e-mail address of the mediator"), validators=[Optional(), Length(max=254)])
    ec_listing_url = StringField(_l("Address of the listing with the European Commission"),
                                 validators=[Optional(), Length(max=500)])
    networks = TextAreaField(_l("Networks of mediators the mediator belongs to (cross-border cooperation)"),
                             validators=[Optional(), Length(max=4000)])
    dispute_kinds = TextAreaField(_l("Kinds of dispute the mediator handles"),
                                  validators=[Optional(), Length(max=4000)])
    languages = StringField(_l("Languages of the mediation"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class RemovalForm(FlaskForm):
    """Removing a mediator from the roster or a panel before the end of the term needs a just cause (L.613-1)."""

    reason = SelectField(_l("Reason (from the fixed list)"),
                         choices=[SelectChoice(key, label) for key, label in roster.REMOVAL_REASONS.items()],
                         validate_choice=True)
    note = TextAreaField(_l("Public note (optional)"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Remove"))


class DisclosureForm(FlaskForm):
    circumstance = TextAreaField(_l("The circumstance that may affect your independence or impartiality"),
                                 validators=[DataRequired(), Length(max=4000)],
                                 description=_l("Each party is told and may refuse that you continue."))
    submit = SubmitField(_l("Disclose to the parties"))


class RecusalForm(FlaskForm):
    reason = TextAreaField(_l("Why you step down from this case"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Recuse myself"))


class RefuseToContinueForm(FlaskForm):
    reason = TextAreaField(_l("Why you refuse that this mediator continue (optional)"),
                           validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Refuse that this mediator continue"))


class AppointForm(FlaskForm):
    brand = SelectField(_l("Brand"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Appoint to this brand's panel"))


class DecideObjectionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice(k, v) for k, v in OBJECTION_DECISIONS.items()],
                          validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (both parties and the mediator read it)"),
                           validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Decide"))


class RecommendationForm(FlaskForm):
    """A panel mediator's recommendation on a category of cases, for the annual report."""

    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("Year of the report"), validators=[DataRequired()])
    text = TextAreaField(_l("Recommendation to the brand"), validators=[DataRequired(), Length(max=4000)],
                         description=_l("Published in the year's annual report, next to the category."))
    submit = SubmitField(_l("Publish the recommendation"))


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


class RepresentativeForm(FlaskForm):
    """A party adds a lawyer or an assistant for its side (R.612-1 3°)."""

    email = EmailField(_l("Their account's e-mail address"), validators=[DataRequired(), Length(max=254)])
    kind = RadioField(_l("Role"), default="lawyer",
                      choices=[SelectChoice("lawyer", _l("A lawyer who represents us")),
                               SelectChoice("assistant", _l("A person of our choice who assists us"))],
                      validators=[DataRequired()])
    submit = SubmitField(_l("Give them access to the case"))


class UploadForm(FlaskForm):
    """A party sends the document asked for."""

    request_id: int | None = None  # the upload route sets it, so the page shows the errors under that request
    file = FileField(_l("File (PDF, PNG or JPEG, at most 5 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Send the document"))


class ExtensionForm(FlaskForm):
    reason = TextAreaField(_l("Why the case is complex"), validators=[DataRequired(), Length(max=4000)],
                           description=_l("Both parties read this reason."))
    days = IntegerField(_l("Extension (days)"), default=outcome.DEFAULT_EXTENSION_DAYS,
                        validators=[InputRequired(), NumberRange(min=1, max=outcome.MAX_EXTENSION_DAYS)])
    submit = SubmitField(_l("Extend the mediation period"))


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


# --- the case page's exchange and outcome forms, blank unless a refused one comes back ------------------------------

def exchange_page_forms(given: dict | None = None) -> dict:
    """The exchange's forms for the case page; `given` carries a refused form back with its input and errors."""
    given = given or {}
    built = {
        "message": given.get("message") or MessageForm(formdata=None, prefix="message"),
        "note": given.get("note") or NoteForm(formdata=None, prefix="note"),
        "request": given.get("request") or DocumentRequestForm(formdata=None, prefix="request"),
        "upload": given.get("upload") or UploadForm(formdata=None, prefix="upload"),
    }
    return built


def outcome_page_forms(given: dict | None = None) -> dict:
    """The proposal's and outcome's forms for the case page, as exchange_page_forms."""
    given = given or {}
    return {
        "extension": given.get("extension") or ExtensionForm(formdata=None, prefix="extension"),
        "proposal": given.get("proposal") or ProposalForm(formdata=None, prefix="proposal"),
        "favours": given.get("favours") or FavoursForm(formdata=None, prefix="favours"),
        "compliance": given.get("compliance") or ComplianceForm(formdata=None, prefix="compliance"),
        "withdraw": given.get("withdraw") or WithdrawForm(formdata=None, prefix="withdraw"),
        # The accept and refuse buttons post the plain CSRF token (action_button): no prefix.
        "answer": given.get("answer") or AnswerForm(formdata=None),
    }

"""Forms of filing, admissibility, the brand's answer, objections and the roster (CSRF on); rules stay in services.

The case page's forms carry a prefix (incomplete-missing, refuse-reason, ...) so that their fields keep unique
ids next to the exchange's and the outcome's forms.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateField, EmailField, IntegerField, RadioField, SelectChoice, SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

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
    collective = BooleanField(_l("Make it a collective case: other members of the community may join it"))
    as_president = BooleanField(_l("File as the customer president, for the community (a collective case)"))
    attachments = MultipleFileField(_l("Attachments (optional)"), description=FILES_HELP)
    submit = SubmitField(_l("File the case"))


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
    submit = SubmitField(_l("Save"))


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

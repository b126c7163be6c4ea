"""Forms of the applications, mission orders, benefits and advocates pages (CSRF on); the rules stay in services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional


class ApplicationForm(FlaskForm):
    motivation = TextAreaField(_l("Why you want to represent the brand"), validators=[DataRequired(), Length(max=4000)])
    channels = TextAreaField(_l("Your channels (social networks, blog, events...)"),
                             validators=[DataRequired(), Length(max=4000)])
    audience = TextAreaField(_l("Your audience (who follows you, how many, where)"),
                             validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Send my application"))


class DeclarationForm(FlaskForm):
    defends = RadioField(_l("I defend"), choices=[SelectChoice("brand", _l("the brand")),
                                                  SelectChoice("customers", _l("its customers"))],
                         validators=[DataRequired()])
    statement = TextAreaField(_l("Your statement: why you defend them"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Declare myself an advocate"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class MissionOrderForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    instructions = TextAreaField(_l("Instructions"), validators=[DataRequired(), Length(max=10000)])
    due_at = DateTimeLocalField(_l("Due (UTC)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    expected_proof = TextAreaField(_l("Expected proof (what the report must contain)"),
                                   validators=[DataRequired(), Length(max=4000)])
    disclosure_label = StringField(_l("Disclosure label to show"), validators=[Optional(), Length(max=100)],
                                   description=_l("Leave empty to use the label of the contract in force."))
    submit = SubmitField(_l("Issue the order"))


class DeclineOrderForm(FlaskForm):
    reason = TextAreaField(_l("Why you decline"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Decline the order"))


class ReportForm(FlaskForm):
    text = TextAreaField(_l("What you did"), validators=[DataRequired(), Length(max=10000)])
    links = TextAreaField(_l("Links, one per line"), validators=[Optional(), Length(max=42000)],
                          description=_l("Each line one address starting with http:// or https://."))
    submit = SubmitField(_l("Send my report"))


class WarningNoteForm(FlaskForm):
    note = TextAreaField(_l("Why the report is acceptable without the label, or what you checked"),
                         validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Clear the warning"))


class ApproveForm(FlaskForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Approve the report"))


class SendBackForm(FlaskForm):
    comment = TextAreaField(_l("What the ambassador must change"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Send the report back"))


class BenefitForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice("money", _l("Money")),
                                                    SelectChoice("in_kind", _l("In kind"))])
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=500)])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=40)],
                        description=_l("An amount such as 49.90; for a gift in kind, its market value."))
    currency = StringField(_l("Currency (ISO 4217 code)"), default="EUR", validators=[DataRequired(), Length(max=3)])
    given_on = DateField(_l("Date given"), validators=[DataRequired()])
    submit = SubmitField(_l("Record the benefit"))

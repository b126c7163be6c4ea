"""Forms of the mandates pages (CSRF on every one): contracts, applications, mission orders, benefits, advocates.

They only carry what people type: every rule, including the checks of each clause field, stays in
mandates/clauses.py and the services."""
from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from mandates import clauses as schema

SEPARATOR = "__"  # form field "compensation__amount" holds the clause field "compensation.amount"


def form_field_name(clause_key: str, field_key: str) -> str:
    """The form field holding one clause field."""
    return f"{clause_key}{SEPARATOR}{field_key}"


class StartMandateForm(FlaskForm):
    email = EmailField(_l("E-mail address of the future ambassador"), validators=[DataRequired(), Email(),
                                                                                Length(max=254)],
                       description=_l("If a confirmed account uses this address, the mandate is theirs at once; "
                                      "otherwise the address is invited by e-mail to sign up."))
    public_name = StringField(_l("Name shown in the public registry"), validators=[Optional(), Length(max=120)],
                              description=_l("Required for an invitation; by default, the account's name."))
    submit = SubmitField(_l("Start a draft mandate"))


def _clause_field(spec: schema.Field):
    """The input for one clause field: text as typed, so the clause schema checks and explains it."""
    options = {"description": spec.help or "", "validators": [Optional()]}
    if spec.kind == "text":
        return TextAreaField(spec.label, **options)
    if spec.kind in ("country", "law"):
        return SelectField(spec.label, choices=[], validate_choice=False, **options)
    if spec.kind == "choice":
        choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(key, name) for key, name in schema.COMPENSATION_KIND_NAMES.items()]
        return SelectField(spec.label, choices=choices, validate_choice=False, **options)
    if spec.kind == "flag":
        return BooleanField(spec.label, **options)
    render = {"date": {"type": "date"}, "months": {"inputmode": "numeric"}, "days": {"inputmode": "numeric"},
              "amount": {"inputmode": "decimal"}, "email": {"type": "email"},
              "currency": {"maxlength": 3, "autocapitalize": "characters"}}.get(spec.kind, {})
    return StringField(spec.label, render_kw=render, **options)


class ContractForm(FlaskForm):
    """The draft editor: the public name, the contract's language, then every clause's fields."""

    public_name = StringField(_l("Name shown in the public registry"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Language of the contract"), choices=[
        SelectChoice(code, name) for code, name in schema.LANGUAGE_NAMES.items()], validate_choice=False)
    submit = SubmitField(_l("Save the draft"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = get_locale() or Locale("en")
        names = sorted(((code, name) for code, name in locale.territories.items() if code in schema.countries()),
                       key=lambda pair: pair[1])
        choices = [SelectChoice("", _l("Choose…"))] + [SelectChoice(code, f"{name} ({code})") for code, name in names]
        for clause in schema.CLAUSES:
            for spec in clause.fields:
                if spec.kind == "country":
                    self[form_field_name(clause.key, spec.key)].choices = choices
                elif spec.kind == "law":  # a governing law is chosen from the list, never typed
                    self[form_field_name(clause.key, spec.key)].choices = [choices[0]] + [
                        choice for choice in choices[1:] if choice.value in schema.GOVERNING_LAWS]

    def clauses(self) -> dict:
        """What was typed, clause by clause, for the service to check."""
        result = {}
        for clause in schema.CLAUSES:
            result[clause.key] = {spec.key: self[form_field_name(clause.key, spec.key)].data
                                  for spec in clause.fields}
        return result

    @staticmethod
    def data_from(clauses: dict, public_name: str, language: str) -> dict:
        """The form's initial data from stored clauses."""
        data = {"public_name": public_name, "language": language}
        for clause in schema.CLAUSES:
            for spec in clause.fields:
                found = (clauses.get(clause.key) or {}).get(spec.key)
                data[form_field_name(clause.key, spec.key)] = found if spec.kind == "flag" else (
                    "" if found is None else ", ".join(found) if isinstance(found, list) else str(found))
        return data


for _clause in schema.CLAUSES:
    for _spec in _clause.fields:
        setattr(ContractForm, form_field_name(_clause.key, _spec.key), _clause_field(_spec))


class SignForm(FlaskForm):
    typed_name = StringField(_l("Type your full legal name to sign"), validators=[Optional(), Length(max=200)])
    accept = BooleanField(_l("I have read this contract and I accept it."))
    version = HiddenField()
    text_sha256 = HiddenField()
    submit = SubmitField(_l("Sign the contract"))


class CountersignForm(FlaskForm):
    typed_name = StringField(_l("Type your full legal name, as recorded, to sign in the brand's name"),
                             validators=[Optional(), Length(max=200)])
    version = HiddenField()
    text_sha256 = HiddenField()
    submit = SubmitField(_l("Countersign"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why you decline (the brand reads it)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Decline this contract"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the revocation"), validators=[Optional(), Length(max=2000)])
    effective_on = StringField(_l("Takes effect on (leave empty for the earliest day the notice allows)"),
                               render_kw={"type": "date"}, validators=[Optional()])
    submit = SubmitField(_l("Revoke the mandate"))


class ResignForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)])
    effective_on = StringField(_l("Takes effect on (leave empty for the earliest day the notice allows)"),
                               render_kw={"type": "date"}, validators=[Optional()])
    submit = SubmitField(_l("Resign"))


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
    retouched_images = BooleanField(_l("The publication shows retouched images (it must say \"Images retouchées\")"))
    virtual_images = BooleanField(_l("The publication shows virtual images (it must say \"Images virtuelles\")"))
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


class VerifyForm(FlaskForm):
    """Anyone checks a contract: its whole text, or its SHA-256 (CSRF on; a POST, so long texts fit)."""

    text = TextAreaField(
        _l("Contract text"), validators=[Optional(strip_whitespace=False)],
        description=_l("Paste the whole text exactly as signed. Only Windows line endings are turned into plain "
                       "ones; every other character counts, spaces and blank lines included."))
    sha256 = StringField(_l("Or its SHA-256 hash"), validators=[Optional()],
                         description=_l("64 hexadecimal characters, as printed on the contract."))
    submit = SubmitField(_l("Verify"))

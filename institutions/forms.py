"""Forms of the core pages (CSRF on every one); business rules stay in the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectChoice, SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class SignUpForm(FlaskForm):
    display_name = StringField(_l("Your name, as others will see it"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set my new password"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("As my browser says")), SelectChoice("en", "English"), SelectChoice("fr", "Français")],
        validators=[Optional()],
    )
    timezone = StringField(_l("Time zone (for example Europe/Paris)"), validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Save my profile"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)])
    submit = SubmitField(_l("Change my password"))


class ApiTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create a token"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that my personal data will be erased and this cannot be undone"),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")])
    submit = SubmitField(_l("Change language"))


class BrandForm(FlaskForm):
    name = StringField(_l("Brand name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Address (/b/…)"), validators=[DataRequired(), Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    colour = StringField(_l("Colour (#rrggbb)"), default="#1d4ed8", validators=[DataRequired(), Length(max=7)])
    country = StringField(_l("Country (two letters)"), default="FR", validators=[DataRequired(), Length(max=2)])
    first_staff_email = EmailField(_l("E-mail of the first staff member"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Create the brand"))


class InviteStaffForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    can_sign = BooleanField(_l("May sign contracts in the brand's name"))
    submit = SubmitField(_l("Send the invitation"))


class LegalNameForm(FlaskForm):
    legal_name = StringField(_l("Your full legal name, as on your identity papers"),
                             description=_l("Recorded once: every contract you countersign must carry this name."),
                             validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Record my legal name"))


class JoinForm(FlaskForm):
    customer_number = StringField(_l("Customer number (optional)"), validators=[Optional(), Length(max=64)])
    verification_code = StringField(_l("Verification code the brand gave you (optional: with it, you are verified at once)"),
                                    validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Join the community"))


class CustomerCodeForm(FlaskForm):
    customer_number = StringField(_l("Customer number"), validators=[DataRequired(), Length(max=64)])
    verification_code = StringField(_l("Verification code the brand gave you"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Verify my membership"))


class CustomerImportForm(FlaskForm):
    file = FileField(_l("CSV file (UTF-8) with a header: email, customer_number, or both"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class CustomerImportConfirmForm(FlaskForm):
    payload = HiddenField()
    submit = SubmitField(_l("Import these customers"))


class OfficeForm(FlaskForm):
    obtained = TextAreaField(_l("How it is obtained"), validators=[Optional(), Length(max=4000)])
    term = TextAreaField(_l("Term"), validators=[Optional(), Length(max=4000)])
    term_months = IntegerField(_l("Term in months (empty if set by contract)"),
                               validators=[Optional(), NumberRange(1, 120)])
    recall_threshold_percent = IntegerField(_l("Recall: share of eligible members whose signatures oblige a recall "
                                               "vote (percent)"), validators=[Optional(), NumberRange(1, 100)])
    recall_window_days = IntegerField(_l("Recall: days to gather the signatures"),
                                      validators=[Optional(), NumberRange(1, 365)])
    certification_days = IntegerField(
        _l("Elections: days the brand has to certify a counted election (empty: 14)"),
        validators=[Optional(), NumberRange(1, 365)])
    representation_response_days = IntegerField(
        _l("Representations: days the brand has to answer (empty: 30)"), validators=[Optional(), NumberRange(1, 365)])
    powers = TextAreaField(_l("Powers"), validators=[Optional(), Length(max=4000)])
    obligations = TextAreaField(_l("Obligations"), validators=[Optional(), Length(max=4000)])
    resources = TextAreaField(_l("Resources"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Save the charter"))

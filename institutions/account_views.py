"""Pages of one's own account: sign up, sign in, verification, reset, profile, tokens, privacy."""
from __future__ import annotations

import json

from flask import (
    Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from extensions import csrf, db, limiter
from institutions import accounts, community, notifications, privacy, unsubscribe
from institutions.access import public, signed_in
from institutions.errors import DomainError
from institutions.forms import (ActionForm, ApiTokenForm, DeleteAccountForm, LoginForm, PasswordChangeForm,
                                ProfileForm, ResetPasswordForm, ResetRequestForm, SignUpForm)
from institutions.locale import LANGUAGE_COOKIE
from institutions.view_helpers import commit_or_refuse, safe_next, show_refusal

blueprint = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blueprint.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def signup():
    """Create an account; a verification link is e-mailed (same answer whether the address is new or not)."""
    form = SignUpForm()
    if form.validate_on_submit():
        ok, _user = commit_or_refuse(lambda: accounts.sign_up(
            form.email.data, form.password.data, form.display_name.data, locale=session.get(LANGUAGE_COOKIE)), form)
        if ok:
            # Not signed in here: signing in at once would tell a new address from a registered one.
            flash(_("We sent a link to %(email)s: open it to confirm your address, then sign in.",
                    email=accounts.normalize_email(form.email.data)), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/signup.html", form=form)


def _keep_this_session(user) -> None:
    """After the account's session version moved: this browser stays signed in (and remembered if it was)."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


def _failed_attempt(response) -> bool:
    # A successful sign-in redirects; only refusals count against the limit.
    return response.status_code != 302


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_attempt)
@public
def login():
    """Sign in with e-mail and password (attempts are rate-limited)."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            show_refusal(error, form)
        else:
            login_user(user, remember=form.remember.data)
            if user.locale:
                session[LANGUAGE_COOKIE] = user.locale
            return redirect(safe_next(request.args.get("next"), url_for("brands.my_brands")))
    return render_template("accounts/login.html", form=form)


@blueprint.post("/logout")
@public
def logout():
    """Sign out (a POST with CSRF, so no other site can sign you out)."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.sign_out(current_user)
            db.session.commit()
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("site.home"))


@blueprint.post("/account/sign-out-everywhere")
@signed_in
def sign_out_everywhere():
    """End every session of my account: this browser, every other one, remembered ones too."""
    if ActionForm().validate_on_submit():
        accounts.sign_out_everywhere(current_user)
        db.session.commit()
        logout_user()
        flash(_("You are signed out everywhere: every browser and device must sign in again."), "success")
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.account"))


@blueprint.get("/verify/<token>")
@public
def verify_email(token: str):
    """Open the e-mailed link: the address is confirmed, listed customers are verified."""
    try:
        user = accounts.verify_email(token)
        verified = community.verify_on_email_confirmed(user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return render_template("accounts/link_problem.html", message=error.message), error.status
    flash(_("Your e-mail address is confirmed."), "success")
    for membership in verified:
        flash(_("%(brand)s lists you as a customer: your membership is verified.", brand=membership.brand.name),
              "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@blueprint.post("/verify/resend")
@signed_in
def resend_verification():
    """Send a new confirmation link."""
    if ActionForm().validate_on_submit() and not current_user.is_email_verified:
        accounts.send_verification_email(current_user)
        db.session.commit()
        flash(_("A new link is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.account"))


@blueprint.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def request_reset():
    """Ask for a password-reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses this address, a link to reset the password is on its way."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password with the e-mailed link."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            if "token" in error.fields:
                return render_template("accounts/link_problem.html", message=error.message), error.status
            show_refusal(error, form)
        else:
            flash(_("Your password is changed; you can sign in. Every session of your account was signed out and "
                    "its API tokens revoked."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _account_page(new_token: str | None = None, preferences: dict | None = None,
                  preference_errors: dict | None = None, **forms):
    """The account page, with the forms given (or fresh ones) and the e-mail choices (or the stored ones)."""
    defaults = {
        "profile_form": ProfileForm(obj=current_user, prefix="profile"),
        "password_form": PasswordChangeForm(prefix="password"),
        "token_form": ApiTokenForm(prefix="token"),
        "delete_form": DeleteAccountForm(prefix="delete"),
        "action_form": ActionForm(),
    }
    defaults.update(forms)
    return render_template(
        "accounts/account.html",
        kinds=notifications.KINDS,
        preferences=preferences if preferences is not None else notifications.frequencies(current_user),
        frequency_labels=notifications.FREQUENCIES,
        preference_errors=preference_errors or {},
        tokens=accounts.active_api_tokens(current_user),
        new_token=new_token,
        **defaults,
    )


@blueprint.get("/account")
@signed_in
def account():
    """Profile, language, e-mail preferences, API tokens, my data."""
    return _account_page()


@blueprint.post("/account/profile")
@signed_in
def update_profile():
    """Save name, language and time zone."""
    form = ProfileForm(prefix="profile")
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(
            lambda: accounts.update_profile(
                current_user, form.display_name.data, form.locale.data, form.timezone.data),
            form,
        )
        if ok:
            if current_user.locale:
                session[LANGUAGE_COOKIE] = current_user.locale
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(profile_form=form), 422


@blueprint.post("/account/password")
@signed_in
def change_password():
    """Change the password."""
    form = PasswordChangeForm(prefix="password")
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(
            lambda: accounts.change_password(current_user, form.current_password.data, form.password.data), form,
        )
        if ok:
            _keep_this_session(current_user._get_current_object())
            flash(_("Your password is changed. Every other session of your account is signed out."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=form), 422


@blueprint.post("/account/email-preferences")
@signed_in
def email_preferences():
    """Choose, per kind, e-mail each time, in a daily or weekly digest, or never (all never until you choose)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("accounts.account"))
    # Only the kinds the form sent: a mandatory kind sent anyway is refused by the service, not ignored.
    choices = {key: request.form[f"frequency-{key}"] for key in notifications.KINDS
               if f"frequency-{key}" in request.form}
    try:
        notifications.set_frequencies(current_user, choices)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        shown = {**notifications.frequencies(current_user), **choices}
        return _account_page(preferences=shown, preference_errors=error.fields), error.status
    flash(_("Your e-mail preferences are saved."), "success")
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/tokens")
@signed_in
def create_token():
    """Create a personal API token, shown once."""
    form = ApiTokenForm(prefix="token")
    if form.validate_on_submit():
        ok, created = commit_or_refuse(lambda: accounts.create_api_token(current_user, form.name.data), form)
        if ok:
            # The secret is shown on this answer only: never stored, never in the session cookie.
            response = make_response(_account_page(token_form=ApiTokenForm(prefix="token", formdata=None),
                                                   new_token=created[1]))
            response.headers["Cache-Control"] = "no-store"
            return response
    return _account_page(token_form=form), 422


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int):
    """Revoke one of my API tokens."""
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: accounts.revoke_api_token(current_user, token_id))
        if ok:
            flash(_("The token is revoked."), "success")
    return redirect(url_for("accounts.account") + "#tokens")


@blueprint.get("/account/export.json", defaults={"kind": "json"})
@blueprint.get("/account/export.zip", defaults={"kind": "zip"})
@signed_in
def export_data(kind: str):
    """Download everything Tribune holds about me: JSON, or a ZIP with the JSON and my files (attachments) beside it."""
    if kind == "zip":
        body, mimetype = privacy.export_archive(current_user), "application/zip"
    else:
        body, mimetype = json.dumps(privacy.export_user_data(current_user), indent=2, ensure_ascii=False), \
            "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=tribune-my-data.{kind}", "Cache-Control": "no-store"})


@blueprint.post("/account/delete")
@signed_in
def delete_account():
    """Erase my account and personal data."""
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        ok, _result = commit_or_refuse(lambda: privacy.delete_account(current_user, form.password.data), form)
        if ok:
            logout_user()
            flash(_("Your account is deleted. Thank you for having taken part."), "success")
            return redirect(url_for("site.home"))
    return _account_page(delete_form=form), 422


@blueprint.get("/notifications")
@signed_in
def notification_list():
    """My notifications, newest first, each rendered now in my language and time zone."""
    items = notifications.recent(current_user)
    texts = {n.id: notifications.text_of(n, current_user) for n in items}
    return render_template("accounts/notifications.html", items=items, texts=texts, action_form=ActionForm())


@blueprint.post("/notifications/read")
@signed_in
def mark_notifications_read():
    """Mark all my notifications as read."""
    if ActionForm().validate_on_submit():
        notifications.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("accounts.notification_list"))


def _unsubscribe_refused(error: unsubscribe.InvalidUnsubscribeLink):
    """A clear page for a link that was altered, is unknown, or names a notice that cannot be turned off."""
    reason = {"mandatory": _("This kind of notice cannot be turned off: the rules require that you be told."),
              }.get(str(error), _("This unsubscribe link is not valid: it was altered or its account no longer "
                                  "exists. Choose your e-mails on your account page."))
    return render_template("accounts/unsubscribe.html", refused=reason), 400


@blueprint.get("/unsubscribe/<token>")
@public
def unsubscribe_confirm(token: str):
    """Ask before turning off one kind of e-mail (a GET changes nothing: link scanners follow links)."""
    try:
        user, kind = unsubscribe.read(token, notifications.KINDS)
    except unsubscribe.InvalidUnsubscribeLink as error:
        return _unsubscribe_refused(error)
    return render_template("accounts/unsubscribe.html", kind=kind, token=token, done=False)


# Exempt from CSRF on purpose: RFC 8058's one-click POST comes from the mail client with no session and no form
# token. The signed token in the address is itself the proof (only its recipient has it, bound to one person and
# one kind), and the worst a forged request could do is turn off an optional e-mail, which it cannot forge.
@blueprint.post("/unsubscribe/<token>")
@csrf.exempt
@public
def unsubscribe_now(token: str):
    """Turn off this kind of e-mail for the token's person: the page's button and the one-click POST."""
    try:
        user, kind = unsubscribe.read(token, notifications.KINDS)
    except unsubscribe.InvalidUnsubscribeLink as error:
        return _unsubscribe_refused(error)
    unsubscribe.turn_off(user, kind.key)
    db.session.commit()
    return render_template("accounts/unsubscribe.html", kind=kind, token=token, done=True)

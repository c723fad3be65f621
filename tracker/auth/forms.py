from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(message="Enter your email address"), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password"), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so another site cannot do it for you."""


def _new_password_field() -> PasswordField:
    return PasswordField("New password", validators=[DataRequired(message="Enter a new password"), Length(max=1000)],
                         render_kw={"autocomplete": "new-password"})


def _confirmation_field() -> PasswordField:
    return PasswordField("Confirm the new password",
                         validators=[DataRequired(message="Enter the new password again"), Length(max=1000)],
                         render_kw={"autocomplete": "new-password"})


class SetPasswordForm(FlaskForm):
    """A new password, typed twice; the minimum length is the services' rule (set_password)."""

    password = _new_password_field()
    confirmation = _confirmation_field()


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one typed twice; the rules are passwords.problem's."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password"), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field()
    confirmation = _confirmation_field()


class ForgottenPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(message="Enter your email address"), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )

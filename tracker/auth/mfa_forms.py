"""The second step of signing in: a code from the authenticator app, or a recovery code."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        "Enter the code from your authenticator app",
        validators=[DataRequired(message="Enter the 6-digit code from your authenticator app"), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "inputmode": "numeric"},
    )


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        "Enter a recovery code",
        validators=[DataRequired(message="Enter one of your recovery codes"), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ResetSecondFactorForm(FlaskForm):
    """Only the CSRF token: the admin's confirmation."""

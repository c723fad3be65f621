"""Forms of the admin's people pages. Presence and length are checked here; every rule about
other records (unique, exists, in post, no cycle, dates) is the services' (people_services.check)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker.admin.people_services import Details
from tracker.models import TIERS, Role, StaffGroup
from tracker.team.forms import DateInputField, RequiredDate


class PersonForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(message="Enter the person's full name"),
                                                Length(max=200, message="The name must be 200 characters or fewer")])
    email = EmailField("Email address", validators=[DataRequired(message="Enter the person's email address"),
                                                    Length(max=254, message="Enter an email address in the correct format, like name@example.org.")],
                       render_kw={"spellcheck": "false"})
    employee_number = StringField("Employee number (optional)", validators=[
        Length(max=20, message="The employee number must be 20 characters or fewer")])
    job_title = StringField("Job title (optional)", validators=[
        Length(max=200, message="The job title must be 200 characters or fewer")])
    staff_group = SelectField("Staff group", choices=[SelectChoice("", "Choose a staff group")] + [SelectChoice(g.value, g.value) for g in StaffGroup],
                              validate_choice=False)
    tier = RadioField("Tier", choices=[SelectChoice(str(t), f"Tier {t}") for t in TIERS], validate_choice=False)
    team = SelectField("Team", choices=[], validate_choice=False)
    line_manager = StringField("Line manager (optional)", validators=[Length(max=254)],
                               render_kw={"spellcheck": "false"})
    roles = SelectMultipleField("Roles", choices=[SelectChoice(r.value, r.label) for r in Role], validate_choice=False)

    def set_units(self, units) -> None:
        self.team.choices = [SelectChoice("", "Choose a team")] + [
            SelectChoice(str(u.id), u.name + ("" if u.kind.value == "team" else f" ({u.kind.label.lower()})"))
            for u in units]

    def details(self) -> Details:
        return Details(name=self.name.data or "", email=self.email.data or "",
                       employee_number=self.employee_number.data or "", job_title=self.job_title.data or "",
                       staff_group=self.staff_group.data or "", tier=self.tier.data or "", team=self.team.data or "",
                       line_manager=self.line_manager.data or "", roles=set(self.roles.data or ()))

    def fill_from(self, person) -> None:
        """The form as it starts on "Edit": the person's details of today."""
        self.name.data, self.email.data = person.name, person.email
        self.employee_number.data, self.job_title.data = person.employee_number or "", person.job_title
        self.staff_group.data, self.tier.data, self.team.data = person.staff_group.value, str(person.tier), str(person.team_id)
        manager = person.line_manager
        self.line_manager.data = (manager.email if manager else "")
        self.roles.data = sorted(r.value for r in person.roles)


class NewPersonForm(PersonForm):
    in_post_from = DateInputField("In post from", validators=[RequiredDate()],
                                  required_message="Enter the date they start in post")


class EditPersonForm(PersonForm):
    # Asked on the same page: it applies only when the team, tier or staff group changes.
    on = DateInputField("From when?")


class LeavingForm(FlaskForm):
    on = DateInputField("Leaving date", validators=[RequiredDate()], required_message="Enter the leaving date")


class RejoiningForm(FlaskForm):
    on = DateInputField("Back in post from", validators=[RequiredDate()],
                        required_message="Enter the date they are back in post")


class LinkForm(FlaskForm):
    """Only the CSRF token: creating a set-password link is a POST."""


class EraseForm(FlaskForm):
    """Only the CSRF token: the confirmation page's "Yes, erase"."""

"""An admin who changes their own roles stays signed in on this device; their other sessions end
(a change of roles rotates the session token, and this session alone carries on)."""
from __future__ import annotations

from tests.factories import PASSWORD
from tests.support import csrf_token_from, give_second_factor
from tests.web.admin_people.conftest import DAY
from tracker.models import Role


def _sign_in(client) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token})
    give_second_factor(client, "admin@example.org")  # admins sign in with a second factor


def test_changing_ones_own_roles_keeps_this_session_and_ends_the_others(app, client, org, time_of_day):
    admin = org["people"]["admin"]
    _sign_in(client)
    phone = app.test_client()
    _sign_in(phone)
    url = f"/admin/people/{admin.id}/edit"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    form = {"name": admin.name, "email": admin.email, "employee_number": "", "job_title": admin.job_title,
            "staff_group": admin.staff_group.value, "tier": str(admin.tier), "team": str(admin.team_id),
            "line_manager": "", "roles": ["admin", "education_lead"], "on-day": str(DAY.day),
            "on-month": str(DAY.month), "on-year": str(DAY.year), "csrf_token": token}
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert Role.EDUCATION_LEAD in admin.roles
    assert client.get("/admin/people").status_code == 200
    assert client.get("/account/sessions").get_data(as_text=True).count("This device") == 1
    assert phone.get("/admin/people").headers["Location"].startswith("/sign-in")

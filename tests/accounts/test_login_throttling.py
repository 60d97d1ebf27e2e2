"""Admin login throttling (django-axes): issue 9, defect 6.

Five failed logins for a username, or from an address, lock that username or address out
for the cooling-off time; the lockout is the admin's login page with the reason (429).
"""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
LOCKED_OUT = "Too many failed login attempts"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(username="editor", is_staff=True)


def log_in(client, username, password, ip="203.0.113.7", **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **extra,
    )


def fail(client, username, times, ip="203.0.113.7"):
    for _ in range(times):
        log_in(client, username, "wrong password", ip=ip)


def test_four_failures_still_let_the_right_password_in(client, staff):
    fail(client, "editor", 4)

    response = log_in(client, "editor", PASSWORD)

    assert response.status_code == 302
    assert response.url == "/admin/"


def test_the_sixth_attempt_is_refused_with_the_message_even_with_the_right_password(client, staff):
    fail(client, "editor", 5)

    response = log_in(client, "editor", PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert LOCKED_OUT in content
    assert "Try again in 15 minutes." in content
    # The admin's login page, in its look, with the form to try again later.
    assert 'id="login-form"' in content
    assert "_auth_user_id" not in client.session


def test_the_fifth_failure_already_shows_the_lockout(client, staff):
    fail(client, "editor", 4)

    response = log_in(client, "editor", "wrong password")

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()


def test_a_locked_out_username_is_refused_from_another_address_too(client, staff):
    fail(client, "editor", 5, ip="203.0.113.7")

    response = log_in(client, "editor", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 429


def test_a_locked_out_address_cannot_try_other_usernames(client, staff):
    UserFactory(username="writer", is_staff=True)
    for number in range(5):
        log_in(client, f"guess{number}", "wrong password", ip="203.0.113.7")

    response = log_in(client, "writer", PASSWORD, ip="203.0.113.7")

    assert response.status_code == 429


def test_other_users_and_addresses_are_unaffected(client, staff):
    UserFactory(username="writer", is_staff=True)
    fail(client, "editor", 5, ip="203.0.113.7")

    response = log_in(client, "writer", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 302


def test_a_successful_login_resets_the_count(client, staff):
    fail(client, "editor", 4)
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()

    fail(client, "editor", 4)
    response = log_in(client, "editor", PASSWORD)

    assert response.status_code == 302


def test_the_lockout_ends_after_the_cooling_off_time(client, staff, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "editor", 5)
        assert log_in(client, "editor", PASSWORD).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1), tick=False):
        assert log_in(client, "editor", PASSWORD).status_code == 302


def test_a_unicode_username_is_counted_and_locked_out(client):
    UserFactory(username="Олена", is_staff=True)
    fail(client, "Олена", 5)

    response = log_in(client, "Олена", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert AccessAttempt.objects.filter(username="Олена").exists()


def test_the_address_is_the_one_comments_use_behind_a_proxy(client, staff, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    forwarded = {"HTTP_X_FORWARDED_FOR": "192.0.2.50"}
    for number in range(5):
        log_in(client, f"guess{number}", "wrong", ip="10.0.0.1", **forwarded)

    # Another reader behind the same proxy is not locked out with them.
    other = log_in(client, "editor", PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.51")
    assert other.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="192.0.2.50").exists()

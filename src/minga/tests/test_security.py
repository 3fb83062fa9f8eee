import os
import secrets
import subprocess
import sys

from django.test import Client

PRODUCTION = {
    "MINGA_DEBUG": "0",
    "MINGA_SECRET_KEY": secrets.token_urlsafe(64),
    "MINGA_ALLOWED_HOSTS": "minga.example.org",
}


def minga(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "minga", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "minga.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checklist_under_production_settings(tmp_path):
    result = minga(
        "check", "--deploy", "--fail-level", "WARNING", MINGA_DATA_DIR=str(tmp_path), **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_loudly_on_bad_settings(tmp_path):
    cases = [
        ({"MINGA_DEBUG": "maybe"}, "MINGA_DEBUG='maybe' is not a boolean"),
        (
            {"MINGA_DEBUG": "0", "MINGA_ALLOWED_HOSTS": "x.org"},
            "MINGA_DEBUG=0 needs MINGA_SECRET_KEY",
        ),
        ({**PRODUCTION, "MINGA_ALLOWED_HOSTS": ""}, "needs MINGA_ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be sqlite:/// or postgres://"),
        (
            {"MINGA_LOGIN_FAILURE_LIMIT": "lots"},
            "MINGA_LOGIN_FAILURE_LIMIT='lots' is not an integer",
        ),
        ({"MINGA_EMAIL": "pigeon"}, "MINGA_EMAIL='pigeon'"),
    ]
    for env, message in cases:
        result = minga("check", MINGA_DATA_DIR=str(tmp_path), **env)
        assert result.returncode != 0, env
        assert message in result.stderr, (env, result.stderr[-500:])


def test_it_sends_the_security_headers(db):
    response = Client().get("/t/morona-santiago/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_throttles_repeated_failed_logins(db, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "member", "password": "wrong"})
        assert response.status_code == 200
    last = client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    assert last.status_code == 429
    locked = client.post(
        "/accounts/login/?lang=es", {"username": "member", "password": "minga-demo"}
    )
    assert locked.status_code == 429
    assert "Demasiados intentos" in locked.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": "member", "password": "minga-demo"}
    )
    assert other.status_code == 302


def test_it_logs_in_with_the_demo_password(db):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "secretariat", "password": "minga-demo"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_a_nul_character_is_refused_before_any_view(client, db):
    assert client.get("/api/v1/organizations?q=a%00b").status_code == 400
    assert client.get("/t/morona-santiago/?x=%00").status_code == 400
    assert (
        client.post(
            "/api/v1/organizations", '{"name": "a\\u0000"}', content_type="application/json"
        ).status_code
        == 400
    )
    assert client.get("/api/v1/organizations?q=ab").status_code == 200

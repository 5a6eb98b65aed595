"""Production refuses to start without its secrets; the demo is permissive on purpose."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup()"


def _start(settings: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "ONEVISIT_DATA_KEYS", "ONEVISIT_LOOKUP_KEY"}
    }
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 40}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 40, "ALLOWED_HOSTS": "gov.example"}, "ONEVISIT_DATA_KEYS"),
        (
            {
                "SECRET_KEY": "x" * 40,
                "ALLOWED_HOSTS": "gov.example",
                "ONEVISIT_DATA_KEYS": "k",
                "ONEVISIT_LOOKUP_KEY": "l",
            },
            "PostgreSQL",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ],
)
def test_production_refuses_to_start_without_its_settings(env, message):
    result = _start("onevisit.settings.production", **env)
    assert result.returncode != 0 and message in result.stderr


def test_production_starts_with_everything_set(tmp_path):
    result = _start(
        "onevisit.settings.production",
        SECRET_KEY="x" * 40,
        ALLOWED_HOSTS="gov.example",
        ONEVISIT_DATA_KEYS="k",
        ONEVISIT_LOOKUP_KEY="l",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        ONEVISIT_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


def test_secrets_may_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("y" * 40)
    result = _start(
        "onevisit.settings.production", SECRET_KEY_FILE=str(secret), ONEVISIT_VAR_DIR=str(tmp_path)
    )
    assert "SECRET_KEY" not in result.stderr and "ALLOWED_HOSTS" in result.stderr

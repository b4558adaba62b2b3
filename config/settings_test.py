"""Test settings: only overrides (compare pretix's tests.settings)."""

import atexit
import shutil
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"
DEBUG = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405

# Uploaded evidence goes to a throwaway folder, never the checkout, removed when the run ends.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="csp-tracker-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES["private"] = {  # noqa: F405
    "BACKEND": "reviews.storage.PrivateFileStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "private")},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing with PBKDF2 is slow by design; these tests are not about it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

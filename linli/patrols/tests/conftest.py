"""The patrols world: the shared world (linli/conftest.py); a photo maker; notices inline."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from linli.accounts.models import ApiToken

API = "/api/v1/patrols"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = "/tmp/var_patrols/media"
    with translation.override("en"):
        yield


def photo(name="spot.jpg", size=(40, 30), fmt="JPEG"):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client sending that user's API token (None: no token)."""

    def make(user):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            _, key = ApiToken.issue(user=user, name="phone")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """The services' messages are asserted in English, the source language; pages still answer
    in the language each request asks for (LocaleMiddleware), Chinese by default."""
    with translation.override("en"):
        yield

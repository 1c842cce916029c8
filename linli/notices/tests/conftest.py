"""The notices tests use the cases world (the shared world plus paul, a clerk of another
company) and send inline: no background thread, so what was sent can be checked at once."""

import pytest

from linli.cases.tests.conftest import MONDAY, cw, new_case  # noqa: F401  (fixtures reused as they are)


@pytest.fixture(autouse=True)
def _send_inline(settings):
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SMS_BACKEND = "linli.notices.channels.sms.MemorySmsBackend"
    from linli.notices.channels.sms import MemorySmsBackend

    MemorySmsBackend.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the commit (the cases' signal, then the
    notices written and sent), as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run

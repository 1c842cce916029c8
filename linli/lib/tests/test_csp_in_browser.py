"""The Content-Security-Policy breaks nothing: in Chromium, the pages, htmx, the API's Swagger
UI and the admin load with no CSP violation and no script error."""

import re

import pytest

from linli.conftest import PASSWORD
from linli.tests_browser.conftest import browser, phone  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_pages_swagger_and_admin_run_under_the_policy(world, phone):  # noqa: F811
    page = phone
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto("/")
    page.get_by_label("用户名或手机号").fill("root")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    for path in ["/places/", "/cases/", "/r/new/", "/admin/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")

    page.goto("/api/v1/docs")
    # Swagger UI's bundle ran (from our origin, under the policy) and drew into its element.
    page.locator("#swagger-ui .swagger-ui .information-container").wait_for(state="attached", timeout=60000)

    assert problems == []

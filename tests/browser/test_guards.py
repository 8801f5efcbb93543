"""The guards of the journeys can fail: an English page, a request to another host and a console error are seen."""

import pytest

pytestmark = pytest.mark.browser


def test_guards_catch_language_foreign_requests_and_console_errors(open_page, demo):
    page = open_page()
    page.goto("/accounts/login/")
    assert page.problems == []
    page.page.route("http://other-host.example.net/**", lambda route: route.abort())
    page.page.set_content('<html lang="en"><body><img src="http://other-host.example.net/x.png">'
                          '<p>English</p></body></html>')
    page.page.evaluate("console.error('boom')")
    page.check_page()
    problems = " | ".join(page.problems)
    assert "not in Chinese" in problems
    assert "request to another host: http://other-host.example.net/x.png" in problems
    assert "console error: boom" in problems
    page.problems.clear()  # seen as expected; the fixture asserts the rest of the journey is clean

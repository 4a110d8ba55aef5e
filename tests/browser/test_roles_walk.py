"""Every demo role signs in like a person (password, then the authenticator's code for the roles
that need one) and opens every link its menu offers: none is refused, none fails, and the
page's own words are Chinese."""

import pytest

from audit.roles import ROLES
from tests.browser.conftest import english_on_page, shot, visible_fields

# Words still in English on some pages (this list may only shrink): none left since issue 23.
KNOWN_ENGLISH: set[str] = set()

# serialized_rollback: the test database is serialized after migrating; `demo` restores it
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_every_role_opens_every_link_it_is_offered(person):
    leaks: dict[str, set[str]] = {}
    for code in ROLES:
        someone = person(f"demo_{code}")
        page = someone.page
        shot(page, f"{code}-home")
        links = sorted(
            set(
                page.eval_on_selector_all(
                    "nav a[href*='/admin/'], aside a[href*='/admin/']",
                    "els => els.map(e => e.getAttribute('href'))",
                )
            )
            - {"/admin/logout/"}
        )
        assert links, code
        for href in links:
            response = someone.page.request.get(href)
            assert response.status == 200, (code, href, response.status)
        for href in [page.url, *links[:: max(1, len(links) // 3)]]:  # a sample: the walk is long
            someone.open(href)
            words = english_on_page(page, allowed={someone.username})
            if words - KNOWN_ENGLISH:
                leaks[f"{code} {href}"] = words - KNOWN_ENGLISH
        assert not someone.refused, someone.refused
        someone.context.close()
    assert not leaks, leaks


def test_the_dashboard_offers_its_periods_and_draws_its_charts(person):
    director = person("demo_director")
    page = director.page
    period = page.locator("#dashboard-period-form select")
    assert visible_fields(page)  # the selector too: bordered and labelled
    options = [o.strip() for o in period.locator("option").all_inner_texts()]
    assert len(options) > 1 and all("年" in o and "月" in o for o in options), options
    charts = page.locator("canvas")
    assert charts.count() >= 1
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
    # another period: the page follows the choice
    with page.expect_navigation():
        period.select_option(index=1)
    assert page.locator("#dashboard-period").inner_text().strip() == options[1]
    shot(page, "director-dashboard-period")

"""What several browser tests do in the Django admin."""

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, TimeoutError, expect


def admin_log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.get_by_role("banner")).to_contain_text(f"Welcome, {username}")


def choose_in_autocomplete(page: Page, select_id: str, search: str, option_text: str) -> None:
    """Pick an option in one of the admin's select2 autocompletes, as a person would."""
    selection = page.locator(f"#{select_id} + .select2-container .select2-selection")
    selection.click()
    search_box = page.locator(".select2-container--open .select2-search__field")
    expect(search_box).to_be_focused()
    search_box.press_sequentially(search)
    option = page.locator(".select2-container--open .select2-results__option").filter(
        has_text=option_text
    )
    expect(option).to_have_count(1)
    option.click()
    expect(selection).to_contain_text(option_text)


def choose_in_popup(popup: Page, link: Locator) -> None:
    """Click a choice in an admin lookup popup, which closes the popup as it picks: the page
    may be gone before Playwright's click returns, which is the expected outcome. Waits for
    the popup to close, so a click that did nothing still fails."""
    with popup.expect_event("close"):
        try:
            link.click()
        except PlaywrightError as error:
            if "closed" not in str(error) or isinstance(error, TimeoutError):
                raise

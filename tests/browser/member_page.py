"""What the browser tests of the member's own page (/chat/) do on it: sign in with a session made here (members have
no admin login), find by data-testid, read the thread, wait with the page's console in the failure, take a
screenshot. For a BrowserTestCase (tests/browser/test_chat_widget.py)."""

from django.conf import settings
from django.test import Client

from tests.browser.conftest import CHROMEDRIVER
from tests.browser.test_chat_widget import SCREENSHOTS, WAIT_SECONDS

if CHROMEDRIVER.exists():
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait


class MemberPage:
    member = None  # the person signed in by sign_in_and_open

    def sign_in_and_open(self, path="/chat/", *, chat=True):
        client = Client()
        client.force_login(self.member)
        self.driver.get(f"{self.live_server_url}/healthz")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})
        self.driver.get(f"{self.live_server_url}{path}")
        if chat:
            self.wait(lambda d: self.find("status").text == "Online", "the chat to connect")

    def find(self, testid):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def find_all(self, testid):
        return self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def texts(self):
        return [m.find_element(By.CSS_SELECTOR, ".wc-text").text for m in self.find_all("message")]

    def wait(self, condition, what):
        try:
            return WebDriverWait(
                self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
            ).until(condition)
        except TimeoutException:
            console = [entry["message"] for entry in self.driver.get_log("browser")]
            self.fail(f"waited {WAIT_SECONDS} s for {what}\npage: {self.driver.current_url}\nconsole: {console}")

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / name))

"""What the console's browser tests do on a page, mixed into a BrowserTestCase (tests/browser/test_chat_widget.py):
sign in by a session cookie, open a path, find, wait, click past the sticky submit row, and take whole-page
screenshots."""

from django.conf import settings
from django.test import Client
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tenants.models import User
from tests.browser.test_chat_widget import SCREENSHOTS, WAIT_SECONDS


class ConsolePages:
    def sign_in(self, email):
        client = Client()
        client.force_login(User.objects.get(email=email))
        self.driver.get(f"{self.live_server_url}/healthz")  # a cookie can only be set on a page of its site
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})

    def open(self, path):
        self.driver.get(f"{self.live_server_url}{path}")

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def wait(self, condition, what):
        """`condition(driver)` true within WAIT_SECONDS; an element gone stale in a re-render is looked for again."""
        try:
            return WebDriverWait(
                self.driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
            ).until(condition)
        except TimeoutException:
            body = self.driver.find_elements(By.TAG_NAME, "body")
            self.fail(f"waited {WAIT_SECONDS} s for {what}\npage text: {body[0].text[:2000] if body else ''}")

    def click(self, selector):
        """Scrolled into view first: the sticky submit row may cover what a plain click aims at."""
        element = self.find(selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element)

    def screenshot(self, name):
        """The whole page: the window grows to the content's height (up to 4000 px) at its width, then is put back."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        size = self.driver.get_window_size()
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        try:
            self.driver.save_screenshot(str(SCREENSHOTS / name))
        finally:
            self.driver.set_window_size(size["width"], size["height"])

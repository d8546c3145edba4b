"""Workflows in a real browser (issue 16, point 5): the built-in default copied, edited with the form's
widgets, then a sample action previewed; and (issue 36, point 4) a workflow of three levels made in one save,
levels added, ordered by position and removed in the page (the levels' inline, issue 47 point 6), people found
by searching, on a desktop and on a phone (its screenshots named "-phone"). Screenshots go to
artifacts/screenshots/."""

import io

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from hitl.models import HITLWorkflow
from tenants.models import User
from tests.browser.conftest import CHROMEDRIVER, PAGES_AND_FORMS
from tests.browser.console_pages import ConsolePages  # selenium is installed with the test tools
from tests.browser.screens import PHONE, ScreenChecks
from tests.hitl.test_workflow_forms import levels_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.processes,
    PAGES_AND_FORMS,
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason="needs Debian's chromium-driver at /usr/bin/chromedriver"),
]

if CHROMEDRIVER.exists():  # imported here so a machine without the driver still collects the module
    from selenium.webdriver.common.by import By

    from tests.browser.test_chat_widget import BrowserTestCase
else:  # the class below still has to be defined for collection; it is skipped
    BrowserTestCase = ChannelsLiveServerTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class WorkflowAdminBrowserTests(ConsolePages, ScreenChecks, BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def pick_person(self, row, term, name):
        """Search the level's people and pick `name` from select2's results; the other results are returned."""
        self.click(f'select[name="levels-{row}-users"] + .select2 .select2-selection')
        search = self.find(f'select[name="levels-{row}-users"] + .select2 .select2-search__field')
        search.send_keys(term)
        option = f'//li[contains(@class, "select2-results__option") and contains(., "{name}")]'
        offered = []

        def picked(driver) -> bool:
            """Found and clicked in one go: select2 redraws its results as each search answers, so an option found
            may be gone when clicked (stale: `wait` looks again)."""
            if not driver.find_elements(By.XPATH, option):
                return False
            offered[:] = [item.text for item in driver.find_elements(By.CSS_SELECTOR, ".select2-results__option")]
            driver.find_element(By.XPATH, option).click()
            return True

        self.wait(picked, f"{name} among the people found, and picked")
        return offered

    def add_level(self):
        """Django's "Add another" of the levels' inline; the new row's number."""
        self.click("#levels-group a.add-row")
        return int(self.find('input[name="levels-TOTAL_FORMS"]').get_attribute("value")) - 1

    def shown_levels(self):
        """(position, name) of each level row shown."""
        names = self.driver.find_elements(By.CSS_SELECTOR, '#levels-group input[name^="levels-"][name$="-name"]')
        return [
            (self.find(f'input[name="{name.get_attribute("name")[:-len("name")]}position"]').get_attribute("value"),
             name.get_attribute("value"))
            for name in names if name.is_displayed() and "__prefix__" not in name.get_attribute("name")
        ]  # fmt: skip

    def test_three_levels_are_added_searched_reordered_and_saved_once(self):
        self.three_levels_saved_once(suffix="")

    def test_three_levels_are_added_and_saved_on_a_phone(self):
        self.driver.set_window_size(*PHONE)
        self.three_levels_saved_once(suffix="-phone")

    def three_levels_saved_once(self, suffix):
        self.sign_in("admin@acme.test")
        self.open(reverse("admin:hitl_hitlworkflow_add"))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#levels-group a.add-row"), "the levels' Add another")
        roles = [box.get_attribute("value") for box in self.driver.find_elements(By.NAME, "levels-0-roles")]
        self.assertEqual(sorted(roles), ["admin", "approver", "compliance", "support"])  # no "member"
        self.find("#id_name").send_keys("Big budgets")
        self.find('input[name="levels-0-name"]').send_keys("Marketing lead")
        self.click('input[name="levels-0-roles"][value="approver"]')

        finance = self.add_level()
        self.find(f'input[name="levels-{finance}-name"]').send_keys("Finance")
        self.find(f'input[name="levels-{finance}-position"]').send_keys("3")
        self.pick_person(finance, "Morgan", "No results")  # the member is not among the console's people
        self.find(f'select[name="levels-{finance}-users"] + .select2 .select2-search__field').clear()
        offered = self.pick_person(finance, "Priya", "Priya Shah")
        self.assertEqual(offered, ["Priya Shah (approver@acme.test)"])

        director = self.add_level()
        self.find(f'input[name="levels-{director}-name"]').send_keys("Director")
        self.find(f'input[name="levels-{director}-position"]').send_keys("2")  # before Finance
        self.click(f'input[name="levels-{director}-roles"][value="admin"]')
        mistake = self.add_level()
        self.find(f'input[name="levels-{mistake}-name"]').send_keys("Changed my mind")
        removal = f'//input[@name="levels-{mistake}-name"]/ancestor::tbody[contains(@class, "form-group")]'
        self.driver.find_element(By.XPATH, f'{removal}//*[contains(@class, "delete-template")]').click()
        self.assertEqual(self.shown_levels(), [("", "Marketing lead"), ("3", "Finance"), ("2", "Director")])
        self.screenshot(f"workflows-form{suffix}.png")
        self.assert_within_the_screen(f'select[name="levels-{director}-users"] + .select2', 'button[name="_continue"]')

        self.click('button[name="_continue"]')
        self.wait(lambda d: "was added successfully" in d.find_element(By.TAG_NAME, "body").text, "the saved form")
        saved = HITLWorkflow.objects.get(name="Big budgets")
        # Marketing lead, given no position, goes after the others: 4
        self.assertEqual([level["name"] for level in levels_of(saved)], ["Director", "Finance", "Marketing lead"])
        priya = User.objects.get(email="approver@acme.test")
        self.assertEqual(levels_of(saved)[1]["approvers"], {"users": [str(priya.pk)]})
        self.assertEqual(self.shown_levels(), [("2", "Director"), ("3", "Finance"), ("4", "Marketing lead")])
        self.assertIn("Priya Shah", self.find('select[name="levels-1-users"] + .select2').text)
        self.screenshot(f"workflows-saved{suffix}.png")

    def test_an_admin_copies_the_default_edits_it_with_widgets_and_previews_a_request(self):
        self.sign_in("admin@acme.test")
        self.open(reverse("admin:hitl_hitlworkflow_changelist"))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="builtin-default"]'), "the built-in default")
        self.assertIn("Built-in default: Walker default", self.find('[data-testid="builtin-default"]').text)
        self.screenshot("admin-workflows-builtin-default.png")

        self.click('[data-testid="builtin-default"] button[type="submit"]')
        self.wait(lambda d: "/change/" in d.current_url, "the copied workflow's page")
        copied = HITLWorkflow.objects.get()
        self.click("#id_is_active")
        self.click('input[name="action_types"][value="set_budget"]')
        finance = self.add_level()  # a stored workflow shows no empty row: "Add another"
        self.find(f'input[name="levels-{finance}-name"]').send_keys("Finance")
        self.click(f'input[name="levels-{finance}-roles"][value="admin"]')
        self.pick_person(finance, "Priya", "Priya Shah")
        self.screenshot("admin-workflow-form.png")
        self.click('button[name="_continue"]')
        self.wait(lambda d: "was changed successfully" in d.find_element(By.TAG_NAME, "body").text, "the saved form")

        copied.refresh_from_db()
        self.assertTrue(copied.is_active)
        self.assertEqual([level["name"] for level in levels_of(copied)], ["Approvers", "Finance"])
        self.assertEqual(len(levels_of(copied)[1]["approvers"]["users"]), 1)

        self.click('[data-testid="preview-link"]')
        self.wait(lambda d: "/preview/" in d.current_url, "the preview page")
        cost = self.find("#id_estimated_cost")
        cost.clear()
        cost.send_keys("6000")
        self.click('[data-testid="preview-form"] button[type="submit"]')
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="preview-result"]'), "the preview")
        result = self.find('[data-testid="preview-result"]').text
        self.assertIn(copied.name, result)
        self.assertIn("Finance", result)
        self.screenshot("admin-workflow-preview.png")

"""The phone the browser tests also run on, and the check that a page fits its screen's width (no sideways
scrolling, WCAG 2.1's reflow): a table or a button past the edge is out of reach on a phone."""

PHONE = (390, 844)  # an iPhone 14's CSS viewport


class ScreenChecks:
    """For a BrowserTestCase: `assert_within_the_screen()` on the page the browser shows."""

    def assert_within_the_screen(self, *selectors):
        """No sideways scrolling of the page, and each element found by the CSS selectors lies inside its width."""
        width = self.driver.execute_script("return document.documentElement.clientWidth")
        scrolls = self.driver.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(scrolls, width, "the page scrolls sideways")
        for selector in selectors:
            rect = self.driver.find_element("css selector", selector).rect
            self.assertGreaterEqual(rect["x"], 0, f"{selector} starts left of the screen")
            self.assertLessEqual(rect["x"] + rect["width"], width, f"{selector} reaches past the screen's right edge")


def by_testid(*names):
    """The CSS selectors of the elements marked with these data-testid values."""
    return [f'[data-testid="{name}"]' for name in names]

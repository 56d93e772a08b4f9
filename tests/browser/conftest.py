"""The browser tests' fixtures, defined in `support.py` with the functions the test modules import."""

from tests.browser.support import browser, context, stack

__all__ = ["browser", "context", "stack"]

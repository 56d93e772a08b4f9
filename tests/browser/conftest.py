"""The browser tests' fixtures, defined in `support.py` with the functions the test modules import."""

from tests.browser.support import browser, context, official_too, shared_stack, stack

__all__ = ["browser", "context", "official_too", "shared_stack", "stack"]

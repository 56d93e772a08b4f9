from tests.api.conftest import world  # noqa: F401 - the same small register as the API tests

"""The request fixtures, for tests that check how loading a schedule moves deadlines."""
from tests.requests.conftest import assigned_request, categories, new_request, world  # noqa: F401

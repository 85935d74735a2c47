"""Schemathesis on /requests: listing, registering and every workflow action: no 5xx, every
response as documented (see tests/api/fuzzing.py)."""
from tests.api import fuzzing
from tests.api.fuzzing import fuzz_world  # noqa: F401  (the fixture)

schema = fuzzing.schema.include(tag="requests")


@schema.parametrize()
@fuzzing.SETTINGS
def test_requests_api_conforms_to_its_document(case, app, fuzz_world):  # noqa: F811
    fuzzing.run(case, app, fuzz_world)

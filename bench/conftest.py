from tests.conftest import api, bergen, kommune_data, overlege, page_client, superuser, test_actor  # noqa: F401  (shared fixtures)

from tests.conftest import api, bergen, kommune_data, overlege, superuser, test_actor  # noqa: F401  (shared fixtures)

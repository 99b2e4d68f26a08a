from tests.conftest import api, kommune_data, superuser  # noqa: F401  (shared fixtures)

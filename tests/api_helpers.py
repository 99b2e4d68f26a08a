"""Small helpers the API tests share."""

import pytest
from django.core.exceptions import ValidationError


def if_match(version) -> dict:
    return {"HTTP_IF_MATCH": f'"{version}"'}


def error(response, status=400) -> dict:
    """The API's error body, after checking the status and the one error shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"feil", "kode", "felt"}, body
    return body


def service_messages(field: str, call) -> list[str]:
    """The messages the service itself gives for `field` (what the pages show)."""
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict[field]

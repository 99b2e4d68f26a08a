"""The accessibility gate must be able to fail: it flags a page with known serious violations."""

import pytest

pytestmark = pytest.mark.browser


def test_axe_check_flags_unlabelled_fields_and_missing_language(page, axe):
    page.set_content("<html><head><title>x</title></head><body><input type=text><img src=x.png></body></html>")
    with pytest.raises(AssertionError) as info:
        axe.check(page)
    assert '"label"' in str(info.value) and '"html-has-lang"' in str(info.value)

"""A Meta ad account id is written one way (act_ and digits), whatever a person typed into the form."""

import pytest

from adplatforms.meta import ids


@pytest.mark.parametrize(
    ("typed", "kept"), [("123", "act_123"), ("act_123", "act_123"), ("  act_0042 ", "act_0042"), ("ACT_9", "act_9")]
)
def test_an_account_id_with_or_without_act(typed, kept):
    assert ids.account_id(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", "act_", "acct_123", "act-123", "12 34", "act_123/campaigns", None])
def test_anything_else_is_refused_saying_what_is_expected(typed):
    with pytest.raises(ValueError, match="act_ followed by digits, or the digits alone"):
        ids.account_id(typed)


def test_an_object_id_is_digits_only():
    assert ids.object_id("120210000000001") == "120210000000001"
    for bad in ("", "act_1", "12/insights", "1?x=2", "me"):
        with pytest.raises(ids.InvalidMetaId, match="digits only"):
            ids.object_id(bad)

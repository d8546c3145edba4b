"""Google Ads customer ids as people write them and as the API takes them."""

import pytest
from django.utils import translation

from adplatforms.google.ids import InvalidCustomerId, customer_id


@pytest.mark.parametrize("written", ["123-456-7890", "1234567890", " 123 456 7890 "])
def test_dashes_and_spaces_are_dropped(written):
    assert customer_id(written) == "1234567890"


@pytest.mark.parametrize("written", ["", "123-456-789", "12345678901", "123-456-789O", "act_1234567890", None])
def test_anything_but_ten_digits_is_refused_in_plain_words(written):
    with pytest.raises(InvalidCustomerId, match="is not a Google Ads customer id: it has 10 digits"):
        customer_id(written)


def test_the_refusal_is_translated():
    with translation.override("es"), pytest.raises(InvalidCustomerId, match="no es un id de cliente de Google Ads"):
        customer_id("12-34")

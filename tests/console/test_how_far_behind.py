"""How long a console page went without the feed, as its script says on the socket's URL (walker-live.js)."""

from datetime import timedelta

import pytest

from channels_app.console.consumer import _behind


@pytest.mark.parametrize(
    ("query", "behind"),
    [
        (b"", None),
        (b"behind_ms=", None),
        (b"behind_ms=soon", None),
        (b"behind_ms=-5000", None),
        (b"behind_ms=nan", None),
        (b"behind_ms=inf", None),
        (b"behind_ms=0", timedelta(0)),
        (b"behind_ms=1500.5", timedelta(milliseconds=1500.5)),
        (b"other=1&behind_ms=1&behind_ms=2", timedelta(milliseconds=2)),
    ],
)
def test_how_far_behind_the_page_says_it_is(query, behind):
    assert _behind({"query_string": query}) == behind

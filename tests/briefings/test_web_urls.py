"""A source url is accepted exactly when it is an http(s) URL with a host and no spaces."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.briefings.models import _require_web_url


def accepted_by_urlsplit(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and value.split() == [value]


@given(
    st.tuples(
        st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:/", "https:", ""]),
        st.text(alphabet=st.sampled_from("ab.-[]@:%é /?#\t"), max_size=8),
        st.text(alphabet=st.sampled_from("ab/?#=& é\n"), max_size=8),
    ).map("".join)
)
def test_the_quick_check_accepts_what_urlsplit_accepts(value: str) -> None:
    try:
        accepted = _require_web_url(value) == value
    except ValueError:
        accepted = False
    assert accepted == accepted_by_urlsplit(value)


@pytest.mark.parametrize(
    "value",
    ["https://example.com/a?b=c#d", "http://[::1]:8080/x", "HTTPS://Example.com", "http://ü.de/"],
)
def test_urls_of_every_shape_are_accepted(value: str) -> None:
    assert _require_web_url(value) == value

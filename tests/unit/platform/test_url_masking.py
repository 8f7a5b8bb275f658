"""A URL's secrets (user, password, query values, fragment) are masked wherever a URL or an error
quoting one is shown or stored; where it goes (scheme, host, port, path) stays readable."""

from __future__ import annotations

import pytest

from app.platform.config import masked_urls


@pytest.mark.parametrize(("text", "shown"), [
    ("http://user:pass@erp.example/hook?token=abc&x=1", "http://****@erp.example/hook?token=****&x=****"),
    ("https://user@erp.example:8443/hook", "https://****@erp.example:8443/hook"),
    ("no answer from http://u:p@h:8080/hook?token=s3cret: ConnectError",
     "no answer from http://****@h:8080/hook?token=****: ConnectError"),
    ("(see http://a:b@h/c?key=d).", "(see http://****@h/c?key=****)."),
    ("http://h/?flag#frag", "http://h/?****#****"),
    ("two: http://a:b@one/x and https://c:d@two/y?t=1", "two: http://****@one/x and https://****@two/y?t=****"),
    ("http://[::1/hook?token=1", "http://****"),  # not parseable: nothing of it shown
    ("https://gw-api.pinduoduo.com/api/router", "https://gw-api.pinduoduo.com/api/router"),
    ("the ERP answered HTTP 503", "the ERP answered HTTP 503"),
    ("", ""),
])
def test_a_urls_secrets_are_masked_and_where_it_goes_stays(text, shown):
    assert masked_urls(text) == shown

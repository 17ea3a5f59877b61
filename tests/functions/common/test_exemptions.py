"""Exemption lists from the environment: the component's JSON in, dated entries out, errors named."""

from __future__ import annotations

import datetime

import pytest

from functions.common.env import SettingsError
from functions.common.exemptions import Exemption, find, from_env, parse

ENTRY = '{"name":"site","owner":"web","reason":"CDN origin","expires":"2027-01-31"}'


def test_the_components_compact_json_is_read_and_the_expiry_day_still_applies():
    (entry,) = parse(f"[{ENTRY}]", "EXEMPT_BUCKETS")
    assert entry == Exemption("site", "web", "CDN origin", datetime.date(2027, 1, 31))
    assert find((entry,), "site", datetime.date(2027, 1, 31)) is entry
    assert find((entry,), "site", datetime.date(2027, 2, 1)) is None
    assert find((entry,), "other", datetime.date(2026, 1, 1)) is None
    assert from_env({"EXEMPT_BUCKETS": "[]"}, "EXEMPT_BUCKETS") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "EXEMPT_USERS: expected a JSON list"),
        ("[", "EXEMPT_USERS: not valid JSON (Expecting value)"),
        ('[{"name":"a","owner":"b","reason":"c"}]', "EXEMPT_USERS[0].expires: expected a non-empty string"),
        ('[{"name":"a","owner":"b","reason":"c","expires":"2027-02-30"}]',
         "EXEMPT_USERS[0].expires: '2027-02-30' is not a YYYY-MM-DD date"),
        ('["a"]', "EXEMPT_USERS[0]: expected a JSON object"),
    ],
)
def test_a_malformed_list_names_the_variable_and_entry(text, message):
    with pytest.raises(SettingsError) as caught:
        parse(text, "EXEMPT_USERS")
    assert str(caught.value) == message

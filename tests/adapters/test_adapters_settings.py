"""Biller settings as IC stores them (design 000 §Advanced Settings) and their errors."""

from __future__ import annotations

import json

import pytest
import requests

from adapters import AdapterConfigError, BillerSettings, ImtAdapter, Setting
from contracts import HarnessError
from tests.adapters.fake_imt import BILLING, SETTINGS, make_settings


def test_scenario_form_is_read() -> None:
    settings = BillerSettings.from_dict({
        "partner": "imt",
        "settings": {"8": SETTINGS[8], 88: SETTINGS[88], 131: {"PdfConfig": {"tokenConfiguration": {"uri": "u"}}}, 14: ""},
        "options": {"timeout": 5, "strict_contract": False, "rtdr_version": 2},
    })
    assert settings.partner == "imt"
    assert settings.get(8) == SETTINGS[8] and settings.get(Setting.TOKEN_URL) == SETTINGS[88]
    assert settings.get(14) is None  # empty counts as absent
    assert json.loads(settings.get(131) or "") == {"PdfConfig": {"tokenConfiguration": {"uri": "u"}}}
    assert (settings.timeout, settings.strict_contract, settings.rtdr_version) == (5, False, 2)
    assert dict(BillerSettings.from_dict({}).values) == {}


def test_defaults() -> None:
    settings = BillerSettings.from_dict({"settings": SETTINGS})
    assert (settings.timeout, settings.strict_contract, settings.effective_rtdr_version) == (30.0, True, 1)


@pytest.mark.parametrize(("url", "option", "version"), [
    (BILLING + "/api/v2/accounts/{account_number}/", None, 2),
    (BILLING + "/api/v1/accounts/{account_number}/", None, 1),
    (BILLING + "/api/v2/accounts/{account_number}/", 1, 1),
])
def test_rtdr_version_defaults_from_setting_8(url: str, option: int | None, version: int) -> None:
    options = {} if option is None else {"rtdr_version": option}
    assert BillerSettings.from_dict({"settings": {8: url}, "options": options}).effective_rtdr_version == version


def test_missing_setting_names_id_and_description() -> None:
    with pytest.raises(AdapterConfigError, match=r"setting 20 \(Remote PDF EndPoint/WebService URL\) is not set"):
        BillerSettings.from_dict({"settings": {}}).require(20, "bill presentment")


def test_unknown_option_lists_the_valid_ones() -> None:
    with pytest.raises(AdapterConfigError, match="rtdr_version.*timeout.*strict_contract"):
        BillerSettings.from_dict({"options": {"strict": True}})


@pytest.mark.parametrize(("data", "words"), [
    ({"settings": {8: "billing-qa.example/api/v1/accounts/{account_number}/"}}, "absolute http"),
    ({"settings": {"eight": "x"}}, "setting ID"),
    ({"settings": {89: ["a"]}}, "must be text"),
    ({"options": {"rtdr_version": 3}}, "1 or 2"),
    ({"options": {"timeout": 0}}, "positive"),
    ({"options": {"strict_contract": "yes"}}, "true or false"),
    ({"settings": {}, "extra": 1}, "unknown keys"),
    ({"settings": [8]}, "mappings"),
])
def test_malformed_settings_are_config_errors(data: dict[str, object], words: str) -> None:
    with pytest.raises(AdapterConfigError, match=words) as caught:
        BillerSettings.from_dict(data)
    assert isinstance(caught.value, HarnessError)


def test_setting_131_must_be_a_json_object() -> None:
    with pytest.raises(AdapterConfigError, match="setting 131"):
        BillerSettings.from_dict({"settings": {131: "{not json"}}).json_configuration()


def test_imt_refuses_placeholders_it_does_not_know(session: requests.Session) -> None:
    settings = make_settings({**SETTINGS, 8: BILLING + "/api/v1/accounts/{policy_number}/"})
    with pytest.raises(AdapterConfigError, match=r"setting 8 .*policy_number"):
        ImtAdapter(settings, session)


def test_settings_of_another_partner_are_refused(session: requests.Session) -> None:
    with pytest.raises(AdapterConfigError, match="'tccs'"):
        ImtAdapter(BillerSettings.from_dict({"partner": "tccs", "settings": SETTINGS}), session)

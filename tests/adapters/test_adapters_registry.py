"""``create_adapter`` and the import rule: adapters never import simulators, scenarios or the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

import adapters
from adapters import AdapterConfigError, ImtAdapter, adapter_names, create_adapter
from tests.adapters.fake_imt import SETTINGS


def test_create_adapter_from_the_scenario_form(session: requests.Session) -> None:
    adapter = create_adapter("imt", {"partner": "imt", "settings": SETTINGS, "options": {"timeout": 3}}, session=session)
    assert isinstance(adapter, ImtAdapter)
    assert adapter.session is session and adapter.settings.timeout == 3 and adapter.exchanges == []
    assert "imt" in adapter_names()


def test_unknown_partner_lists_the_known_ones() -> None:
    with pytest.raises(AdapterConfigError, match="known partners: imt"):
        create_adapter("acme", {"settings": SETTINGS})


def test_partner_in_settings_must_agree() -> None:
    with pytest.raises(AdapterConfigError, match="'tccs'"):
        create_adapter("imt", {"partner": "tccs", "settings": SETTINGS})


def test_curated_exports_exist() -> None:
    assert sorted(adapters.__all__) == adapters.__all__
    for name in adapters.__all__:
        assert hasattr(adapters, name), name


def test_adapters_import_no_simulator_scenario_or_cli() -> None:
    code = ("import sys, adapters, adapters.imt; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'simulators', 'scenarios', 'partnersim'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

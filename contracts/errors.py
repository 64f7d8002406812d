"""The errors of partnersim.

Two families, as in schemathesis and httpx:

* ``HarnessError``: *our setup is broken*. A contract that does not load, a recorded exchange or
  scenario file that is malformed, a BIF file that cannot be parsed, a simulator or adapter that is
  configured wrongly. The message says what was expected, what was found, where, and what to do.
* A partner or client that *breaks the contract* is not an exception here: it is a list of
  :class:`contracts.Violation` values. The simulators turn them into the partner's own error answer,
  the adapters raise ``adapters.ContractViolation`` carrying them, and the scenario runner reports them
  as a failed test.

::

    HarnessError
    ├── ContractLoadError        a contract document is missing or not a valid document
    ├── ExchangeFormatError      a recorded exchange file is not in the exchange format
    └── BifError                 a BIF file or web-service form cannot be read at all

Other packages extend the tree: ``simulators.SimulatorError``, ``adapters.AdapterConfigError`` and
``scenarios.ScenarioError`` are ``HarnessError`` too.
"""

from __future__ import annotations

__all__ = ["HarnessError", "ContractLoadError", "ExchangeFormatError", "BifError"]


class HarnessError(Exception):
    """Our setup is broken (not the system under test)."""


class ContractLoadError(HarnessError):
    """A contract document is missing, unreadable or not a valid document of its kind."""


class ExchangeFormatError(HarnessError):
    """A recorded exchange is not in the exchange format (or has an unknown ``version``)."""


class BifError(HarnessError):
    """A BIF file or web-service form is unreadable as a whole (not a mapping violation)."""

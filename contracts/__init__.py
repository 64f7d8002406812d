"""What the partners agreed to, as data, and the code that checks a message against it."""

from contracts.contract import Contract, NearMiss, OperationInfo, OperationMatch
from contracts.errors import BifError, ContractLoadError, ExchangeFormatError, HarnessError
from contracts.exchange import Exchange, Redactor, Request, Response, dump_exchanges, load_exchanges
from contracts.registry import load_contract, load_contract_from, partner_names
from contracts.violation import Violation, best_match

__all__ = [
    "BifError",
    "Contract",
    "ContractLoadError",
    "Exchange",
    "ExchangeFormatError",
    "HarnessError",
    "NearMiss",
    "OperationInfo",
    "OperationMatch",
    "Redactor",
    "Request",
    "Response",
    "Violation",
    "best_match",
    "dump_exchanges",
    "load_contract",
    "load_contract_from",
    "load_exchanges",
    "partner_names",
]

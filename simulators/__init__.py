"""The partners: stateful Flask (REST) and Spyne (SOAP) apps served from the contracts."""

from simulators.app import Sandbox, create_app
from simulators.context import Credentials, SandboxConfig, SandboxContext
from simulators.errors import SeedError, SimulatorError
from simulators.server import ServerThread, serve

__all__ = [
    "Credentials",
    "Sandbox",
    "SandboxConfig",
    "SandboxContext",
    "SeedError",
    "ServerThread",
    "SimulatorError",
    "create_app",
    "serve",
]

"""partnersim: the command line, the composition root (nothing imports it)."""

__version__ = "0.1.0"

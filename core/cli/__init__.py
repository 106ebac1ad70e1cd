"""The command line, ``python -m core <command>``: one module per command group
(``model``: train, ensure-model, models; ``score``; ``drift``), ``main`` builds the parser.
"""

from core.cli.main import main

__all__ = ["main"]

"""Demo data: deterministic claims that look like the bank's exports, with the true
probability each label was drawn from.
"""

from typing import TYPE_CHECKING

from core import lazy_exports

if TYPE_CHECKING:  # the public names, for type checkers and readers
    from core.synth.generator import COLUMNS, SynthResult, generate_claims, generate_demo
    from core.synth.writing import write_claims_xlsx

_EXPORTS = {
    "COLUMNS": "core.synth.generator",
    "SynthResult": "core.synth.generator",
    "generate_claims": "core.synth.generator",
    "generate_demo": "core.synth.generator",
    "write_claims_xlsx": "core.synth.writing",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["COLUMNS", "SynthResult", "generate_claims", "generate_demo", "write_claims_xlsx"]

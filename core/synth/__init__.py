"""Demo data: deterministic claims that look like the bank's exports, with the true
probability each label was drawn from.
"""

from core.synth.generator import COLUMNS, SynthResult, generate_claims, generate_demo
from core.synth.writing import write_claims_xlsx

__all__ = ["COLUMNS", "SynthResult", "generate_claims", "generate_demo", "write_claims_xlsx"]

"""Rule tests as data: YAML cases of households and their expected decisions."""

from allocator.ruletests.cases import RuleCase, load_cases
from allocator.ruletests.runner import CaseResult, coverage_gaps, run_case

__all__ = ["CaseResult", "RuleCase", "coverage_gaps", "load_cases", "run_case"]

"""The whole model: sets, variable and row blocks, objective, built from arrays.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> m = build_model(synthetic_demand(3, 4, seed=0), OptimizeParams(budget_total=1e9))
    >>> m.program.n_vars == m.sets.n_rows + m.sets.n_staff + m.sets.n_cells
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allocator.optimize.constraints import add_constraints
from allocator.optimize.demand import Demand
from allocator.optimize.lp import LinearProgram, ProgramBuilder
from allocator.optimize.objective import penalties, weighted_objective
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import ModelSets
from allocator.optimize.variables import Fixings, add_variables
from allocator.types import IntArray


@dataclass(frozen=True, eq=False)
class OptimizationModel:
    """A built model: ``program`` holds the weighted objective."""

    demand: Demand
    params: OptimizeParams
    sets: ModelSets
    program: LinearProgram
    keys: dict[str, IntArray]
    penalties: dict[str, float]
    fixings: Fixings = field(default_factory=Fixings)


def effective_demand(demand: Demand, params: OptimizeParams) -> Demand:
    """The demand the model works on: unit-cost overrides and the agency filter applied."""
    if params.unit_costs:
        demand = demand.with_unit_costs(dict(params.unit_costs))
    if params.agencies:
        demand = demand.select_agencies(list(params.agencies))
    return demand


def build_model(
    demand: Demand, params: OptimizeParams, fix: Fixings | None = None
) -> OptimizationModel:
    """Build the program of ``demand`` under ``params`` (weighted objective)."""
    demand = effective_demand(demand, params)
    fix = fix or Fixings()
    sets = ModelSets.build(demand, params)
    builder = ProgramBuilder()
    add_variables(builder, sets, params, fix)
    keys = add_constraints(builder, sets, params, demand.agencies, demand.provinces, fix)
    program = builder.build()
    pen = penalties(sets, params)
    program = program.with_objective(weighted_objective(program, sets, params, pen))
    return OptimizationModel(demand, params, sets, program, keys, pen, fix)

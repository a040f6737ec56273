"""The C source of a ruleset's classification kernel: one pass over the households of a batch.

For each household ``i`` (members ``off[i]:off[i + 1]``), the kernel computes the derived
variables in the ruleset's order, then every service in order, exactly as
:class:`allocator.backends.vector.engine.Plan` does with arrays:

* aggregations that read no household derived variable share one loop over the members,
  computed first; the others get their own loop at their place in the order;
* member formula variables are inlined where they are read (they are pure);
* a service's conditions are tried in order until one fails: ``failed`` is the number that
  held (``-1`` when all did). A member-level service keeps the furthest any member got,
  counts eligible members as units and keeps the best eligible member's score;
* eligible households are appended to the service's output block: row, units, score, tier
  and agency; the first eligible service that opens a case file names the case agency;
* when given tables (``why``, ``dem``), households are counted by neighborhood as the
  partition totals need them: ineligible ones by failed condition, eligible ones (units,
  households, people) by tier and agency (see :mod:`allocator.pipeline.totals`).

The services' statements come from :mod:`.services`. Input columns are read in the width
the batch holds them (the C types are part of the source), parameters through the slot
arrays of :class:`.cexpr.CExpr`.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.loading import load_ruleset
    >>> source = KernelSource(load_ruleset(default_rules_dir()), {}, {})
    >>> "void allocator_classify(" in source.text
    True
"""

from __future__ import annotations

from collections.abc import Mapping

from allocator.api.ruleset import RuleSet
from allocator.api.variables import DerivedVariable
from allocator.expressions.nodes import Node, names_in

from .cexpr import CTYPES, CExpr, literal
from .services import ServiceCode

#: C element type of each NumPy dtype a column can have.
DTYPES = {
    "bool": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "uint8": "uint8_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "float32": "float",
    "float64": "double",
}

PREAMBLE = """\
#include <stdint.h>
#include <math.h>
/* One eligible household of a service (NumPy: engine.ELIGIBLE). */
typedef struct { int64_t row; double score; int16_t units; int8_t tier; int8_t agency; } elig_t;
static inline double div_(double a, double b) { return b != 0 ? a / b : 0.0; }
static inline int64_t min_i(int64_t a, int64_t b) { return b < a ? b : a; }
static inline int64_t max_i(int64_t a, int64_t b) { return b > a ? b : a; }
static inline double min_d(double a, double b) { return b < a ? b : a; }
static inline double max_d(double a, double b) { return b > a ? b : a; }
static inline int64_t iabs_(int64_t a) { return a < 0 ? -a : a; }
"""

SIGNATURE = (
    "void allocator_classify(int64_t n, const int64_t* off, void** in, const int64_t* PI,\n"
    "    const double* PD, int8_t* failed, void** out, const int64_t* cap, int64_t* count,\n"
    "    uint8_t* case_file,\n"
    "    int8_t* case_agency, const int64_t* nbid, int64_t nb_lo, int32_t* why, int32_t* dem)"
)


class KernelSource:
    """C source of the kernel for ``ruleset`` and input columns of the given dtypes.

    Args:
        ruleset: the rules.
        household: NumPy dtype name of each household input column, by variable name
            (missing columns default to the kind's natural width).
        member: the same for member input columns.

    Attributes:
        text: the C source.
        columns: ``(entity, name)`` of each input column, in the order of ``in``.
        slots: the constant subtrees to evaluate per decision date, and their kinds.
    """

    def __init__(
        self, ruleset: RuleSet, household: Mapping[str, str], member: Mapping[str, str]
    ) -> None:
        self.ruleset = ruleset
        self.dtypes = {"household": dict(household), "member": dict(member)}
        self.columns = [("household", n) for n in sorted(ruleset.inputs["household"])]
        self.columns += [("member", n) for n in sorted(ruleset.inputs["member"])]
        self._derived = {(v.entity, v.id): v for v in ruleset.variables}
        self._inline: dict[str, str] = {}
        self.expr = CExpr(ruleset.type_of, ruleset.parameters.types(), self._read)
        body = self._body()
        slots = self.expr.slot_declarations()
        self.text = "\n".join([PREAMBLE, SIGNATURE + " {", *self._columns(), *slots, body, "}", ""])
        self.slots = list(zip(self.expr.slots, self.expr.slot_kinds(), strict=True))

    def dtype(self, entity: str, name: str) -> str:
        kind = self.ruleset.inputs[entity][name].kind
        default = {"bool": "bool", "int": "int64", "float": "float64", "enum": "int8"}[kind]
        return self.dtypes[entity].get(name, default)

    def _columns(self) -> list[str]:
        lines = []
        for k, (entity, name) in enumerate(self.columns):
            ctype = DTYPES[self.dtype(entity, name)]
            prefix = "H" if entity == "household" else "M"
            lines.append(f"  const {ctype}* restrict {prefix}_{name} = (const {ctype}*)in[{k}];")
        return lines

    def _read(self, entity: str, name: str) -> str:
        if name in self.ruleset.inputs[entity]:
            kind = self.ruleset.inputs[entity][name].kind
            index = "i" if entity == "household" else "j"
            prefix = "H" if entity == "household" else "M"
            return f"(({CTYPES[kind]}){prefix}_{name}[{index}])"
        if entity == "household":
            return f"h_{name}"
        text = self._inline.get(name)
        if text is None:
            variable = self._derived[("member", name)]
            assert variable.formula is not None
            formula = self.expr.emit(variable.formula, "member")
            text = self._inline[name] = f"(({CTYPES[variable.type.kind]})({formula}))"
        return text

    def _reads_household_derived(self, node: Node) -> bool:
        """Whether a member expression reads a household derived variable (at any depth)."""
        for name in names_in(node):
            parts = name.parts
            if parts[0] == "params":
                continue
            if len(parts) == 2:
                if ("household", parts[1]) in self._derived:
                    return True
                continue
            variable = self._derived.get(("member", parts[0]))
            formula = None if variable is None else variable.formula
            if formula is not None and self._reads_household_derived(formula):
                return True
        return False

    def _body(self) -> str:
        fused = [
            v
            for v in self.ruleset.variables
            if v.aggregation is not None
            and not any(self._reads_household_derived(e) for e in v.aggregation.expressions())
        ]
        lines = [
            "  for (int64_t i = 0; i < n; i++) {",
            "    const int64_t m0 = off[i], m1 = off[i + 1];",
        ]
        lines += self._aggregations(fused)
        for v in self.ruleset.variables:
            if v.entity != "household" or v in fused:
                continue
            if v.aggregation is not None:
                lines += self._aggregations([v])
            else:
                assert v.formula is not None
                ctype = CTYPES[v.type.kind]
                formula = self.expr.emit(v.formula, "household")
                lines.append(f"    const {ctype} h_{v.id} = ({ctype})({formula});")
        code = ServiceCode(self.ruleset, self.expr)
        services = list(enumerate(self.ruleset.services))
        lines += code.member_loop([(s, x) for s, x in services if x.entity == "member"])
        lines.append("    int cf = 0, ca = -1;")
        for s, service in services:
            if service.entity == "member":
                lines += code.member_result(s, service)
            else:
                lines += code.household(s, service)
        lines += ["    case_file[i] = (uint8_t)cf;", "    case_agency[i] = (int8_t)ca;"]
        lines += code.why_not()
        lines.append("  }")
        n = len(self.ruleset.services)
        return "\n".join([*code.outputs(), *lines, *[f"  count[{s}] = c{s};" for s in range(n)]])

    def _aggregations(self, variables: list[DerivedVariable]) -> list[str]:
        before, inside, after = [], [], []
        for v in variables:
            agg = v.aggregation
            assert agg is not None
            where = "1" if agg.where is None else self.expr.emit(agg.where, "member")
            name = f"h_{v.id}"
            if agg.function == "any":
                if agg.where is None:
                    before.append(f"    const int {name} = m1 > m0;")
                    continue
                before.append(f"    int {name} = 0;")
                inside.append(f"      {name} |= ({where}) != 0;")
                continue
            if agg.function == "count":
                if agg.where is None:
                    before.append(f"    const int64_t {name} = m1 - m0;")
                    continue
                before.append(f"    int64_t {name} = 0;")
                inside.append(f"      {name} += ({where}) != 0;")
                continue
            assert agg.of is not None
            of_kind = self.expr.kind(agg.of, "member").kind
            acc = "double" if of_kind == "float" else "int64_t"
            of = f"({acc})({self.expr.emit(agg.of, 'member')})"
            if agg.function == "sum":
                before.append(f"    {acc} {name} = 0;")
                inside.append(f"      {name} += ({where}) ? {of} : ({acc})0;")
                continue
            op = "<" if agg.function == "min" else ">"
            before.append(f"    {acc} a_{v.id} = 0; int s_{v.id} = 0;")
            inside.append(
                f"      if ({where}) {{ const {acc} x = {of};"
                f" if (!s_{v.id} || x {op} a_{v.id}) a_{v.id} = x; s_{v.id} = 1; }}"
            )
            kind = v.type.kind
            default = literal(agg.default if agg.default is not None else 0, kind)
            ctype = CTYPES[kind]
            after.append(f"    const {ctype} {name} = s_{v.id} ? ({ctype})a_{v.id} : {default};")
        loop = ["    for (int64_t j = m0; j < m1; j++) {", *inside, "    }"] if inside else []
        return before + loop + after

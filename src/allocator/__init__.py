"""allocator: declarative eligibility rules and a needs-prioritization optimizer.

The package is split the way the work flows:

- ``domain``: the entities (household, member, neighborhood) as strict pydantic models;
- ``reference``: reference data (provinces, the default neighborhoods);
- ``expressions``: the small, safe expression language of the rule files;
- ``api``: the typed rule model (variables, parameters, services) that the loader builds;
- ``loading``: reads ``rules/`` into that model and reports every error at once;
- ``backends``: the engines that run the rule model (``durable`` for explained single
  decisions, ``vector`` for bulk arrays), named in one registry with what each supports;
- ``data``, ``pipeline``, ``optimize``: synthetic data, bulk classification and allocation;
- ``cli``: the thin command-line layer.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""magtui's benchmark suite (issue #6): `python -m benchmarks.run [--quick] [--json PATH]`.

Every figure is a ratio against a baseline measured in the same run, so the budgets hold on
any machine; absolute times are shown for context and judged only where the issue says so.
"""

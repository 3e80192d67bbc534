"""A mutation run that keeps the suite honest (issue 8 §5), outside `make test`.

`mutantes.py` is a hand-written list of product changes that each break one documented rule; the runner
(`python -m tests.mutacion`) applies each one to a throw-away copy of the tree and runs the tests meant to
kill it. A mutant that survives names a rule the suite does not really guard. No file here is named
`test_*.py`, so pytest never collects this folder. See README.md, "Mutation run".
"""

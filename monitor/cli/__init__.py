"""The ``lactamon`` command line: one module per command group."""

"""Protection Pathways engine: the only writer of workflow state.

Web handlers, the scheduler and the CLI call :class:`engine.runtime.Engine`;
nothing in this package imports Flask.
"""

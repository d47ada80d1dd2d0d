"""Parsing: one file into the summary every rule reads (``Migration``), statically, with the stdlib ``ast``.

``module`` decides whether a file is a migration and assembles its summary; ``walk`` is the single pass over its
functions (statements and control flow), helped by ``bindings`` (what names hold), ``calls`` (calls into records),
``conditions`` (guards, dialect tests, handlers), ``expressions`` and the tables of ``alembic_api``; ``records``
are the plain-data records the summary is made of. Nothing here imports or runs the user's code.
"""

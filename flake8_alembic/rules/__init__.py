"""The rules: one module per rule (``<family>/almNNN_<name>.py``: its record and its check, the one source of its
code, name, summary, tier, dialects and release), shared helpers in ``_``-prefixed modules of a family, the generated
``index`` of every rule, and the ``registry`` that loads a rule's check when it first runs."""

"""Facts: what the project and each Alembic environment say about themselves, typed, with their evidence, computed
once.

The project model: ``model`` reads a project root once (its pins, its application's code and documents, its
service images); ``project`` adds what one environment's files say (alembic.ini, env.py and what it imports,
script.py.mako); ``dialects`` decides the databases by the precedence of their evidence; ``records`` are the typed
facts (``Dialects``, ``TransactionMode``, ``NamingConvention``, ``SchemaBirth``, ``DowngradePolicy``), each with
the evidence ``--show-settings`` prints. ``environment`` holds what a whole environment shows (its migrations, the
schema replays, the downgrade policy its history follows, the enum types it makes), and ``birth`` how its base
revisions say the schema is born. Rules read facts through ``RuleContext``; they never compute them.
"""

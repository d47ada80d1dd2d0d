"""``flake8-alembic verify``: the one part of the product that runs a project's migrations for real.

It lives beside the faces and reuses the static replay: each revision is upgraded, compared with what the replay
says, downgraded and upgraded again on a throwaway database. SQLAlchemy and Alembic come with the ``verify``
extra; importing this package (or ``command``, or the pytest plugin) loads neither.
"""

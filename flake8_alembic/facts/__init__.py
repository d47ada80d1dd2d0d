"""Facts: what the project and each Alembic environment say about themselves, typed and computed once.

``project`` reads a migration's folder and project (its alembic.ini, env.py, pins, application packages);
``environment`` holds what a whole environment shows (its migrations, the schema replays, the downgrade policy its
history follows, the enum types it makes). Rules read facts; they never compute them.
"""

"""The rules of the ALM1xx family: the revision graph of an Alembic environment."""

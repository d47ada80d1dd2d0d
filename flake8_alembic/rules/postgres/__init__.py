"""The rules of the ALM2xx family: PostgreSQL online safety (locks, rewrites and the release still running)."""

"""The rules of the ALM9xx family: the linter's own comments."""

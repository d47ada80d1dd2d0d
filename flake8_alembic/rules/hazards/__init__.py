"""The rules of the ALM0xx family: deploy hazards in a migration's code, the policy's practices first."""

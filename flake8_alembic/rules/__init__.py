"""The rule catalogue: one module per family, assembled in ``registry``."""

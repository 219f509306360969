"""gridsvc: representatives and the households they contact, for street offices."""

__version__ = "0.1.0"

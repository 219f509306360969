"""Use cases: one function each, owning its transaction and applying the access policy.

The CLI and the API call only these; these call db/ (the only SQL), assign/, ingest/, maps/.
"""

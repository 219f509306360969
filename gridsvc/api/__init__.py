"""The HTTP API (FastAPI): look-ups, structure, planner actions and OGC API - Features."""

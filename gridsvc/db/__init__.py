"""The store: PostGIS connection, private cluster, migrations and queries."""

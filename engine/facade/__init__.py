"""The engine's public operations, one module per concept, combined in ``engine.runtime``."""

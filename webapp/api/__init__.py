"""The JSON API (version 1) for integrations."""

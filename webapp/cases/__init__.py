"""Case pages and starting a new case."""

"""Incidents: work the engine could not do after retrying (a timer whose firing keeps failing)."""

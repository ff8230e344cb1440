"""The coordinator's modeller: drafts, form sources, lint, comparison and simulation of pathways."""

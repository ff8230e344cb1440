"""Scenarios: one person's story told as steps, run against a pathway to prove its rules."""

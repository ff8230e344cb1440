"""Task forms: JSON Schema (draft 2020-12) checks and field-level validation of answers."""

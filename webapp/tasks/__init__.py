"""Task pages: the form, drafts, completion."""

"""Domain rules that pathway code calls by name, kept in readable, tested Python."""

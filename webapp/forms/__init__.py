"""Task forms on the server: JSON Schema to HTML fields, and posted fields back to typed answers."""

"""Cases as people see them: who may open one (need-to-know), and its overview."""

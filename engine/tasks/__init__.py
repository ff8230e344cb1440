"""User tasks: the inbox projection, claiming and completing."""

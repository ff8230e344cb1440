"""The web layer and the command line: everything that talks to people."""

"""One module per shipped pathway: its forms and its diagram."""

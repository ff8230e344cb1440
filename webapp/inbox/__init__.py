"""The inbox: tabs, filters, claiming."""

"""Cases (the person protected) and the process instances that run for them."""

"""Transport: the doorbell on the channel layer (rings, never changes), and the outgoing
side of each connection."""

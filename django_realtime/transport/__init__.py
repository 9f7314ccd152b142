"""Transport: change notifications over the channel layer, and the per-process fan-out."""

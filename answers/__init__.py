"""answers stage."""

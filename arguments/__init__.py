"""arguments stage."""

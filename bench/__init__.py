"""Benchmarks: a realistic data set and the API under load (`make bench`)."""

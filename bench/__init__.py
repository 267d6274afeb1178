"""Benchmarks (``make bench``, ``python -m bench``): each figure measured beside its baseline in one run."""

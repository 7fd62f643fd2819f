"""Benchmarks of Kefu; see README.md in this folder."""

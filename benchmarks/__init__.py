"""Benchmarks for briefbot; not tests. Run one with `python -m benchmarks.bench_load`."""

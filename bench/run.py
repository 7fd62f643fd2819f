"""`make bench`: the benchmark suite (`bench.suite`); arguments are passed on.

The older single-area benchmarks stay available as `python -m bench.customers` and
`python -m bench.cases`.
"""

from bench.suite import main

if __name__ == "__main__":
    main()

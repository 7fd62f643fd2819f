"""`make bench`: run the benchmarks (today the customer archive; arguments are passed on)."""

from bench.customers import main

if __name__ == "__main__":
    main()

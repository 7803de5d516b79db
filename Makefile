.PHONY: run test bench

# Run the whole app on http://localhost:8080 (API, SPA, embedded store, demo data).
run:
	scripts/run.sh

# Run every test, as CI does.
test:
	scripts/test.sh

# Benchmarks (print figures; not part of the tests).
bench:
	scripts/bench.sh

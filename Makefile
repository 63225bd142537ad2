# p2pshare: `make demo` runs the system, `make test` runs every test.
MVN ?= mvn -B -q
JAR := target/p2pshare.jar

.PHONY: help build test demo clean

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build target/p2pshare.jar (no tests)
	$(MVN) -DskipTests package

$(JAR):
	$(MVN) -DskipTests package

test: ## Run all unit and integration tests
	mvn -B test

demo: $(JAR) ## Build, start an index and two peers on loopback, search and download
	bash bin/demo.sh

.PHONY: bench-baseline bench-jmh
bench-baseline: $(JAR) ## nginx+curl alone on peer1's generated files (bench/baseline.sh)
	java -jar $(JAR) bench baseline --peer peer1 --kb 200 --mb 20 --gb 0 --concurrency 1 2 4

bench-jmh: ## JMH microbenchmarks (codec, index lookups, piece hashing); not part of make test
	$(MVN) -DskipTests install
	cd bench/jmh && $(MVN) package && java -jar target/benchmarks.jar

clean: ## Remove build output, data, logs and bench results
	rm -rf target data logs bench/results

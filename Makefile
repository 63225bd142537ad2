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

clean: ## Remove build output, data, logs and bench results
	rm -rf target data logs bench/results

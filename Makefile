# p2pshare: `make demo` runs the system, `make test` runs every test.
MVN ?= mvn -B -q
JAR := target/p2pshare.jar

.PHONY: help build test demo clean
.PHONY: test-slow
.PHONY: setup generate-peer1 generate-peer2 run-index run-peer1 run-peer2 bench-quick bench-sweep plot
.PHONY: docker-build docker-up docker-test docker-logs docker-down docker-clean

# How the host runs the jar; tests point these at the test classpath instead of the jar.
P2P ?= bin/p2pshare
P2P_DEPS ?= $(JAR)

# Docker: `docker compose` (plugin) if present, else the standalone `docker-compose`.
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# The containers run as the invoking user, so files in data/ and logs/ are theirs; root
# is mapped to the image's own non-root uid 10001 instead (setup hands it the dirs).
HOST_UID := $(shell id -u)
HOST_GID := $(shell id -g)
ifeq ($(HOST_UID),0)
P2P_UID ?= 10001
P2P_GID ?= 10001
else
P2P_UID ?= $(HOST_UID)
P2P_GID ?= $(HOST_GID)
endif
export P2P_UID P2P_GID
# The file docker-test fetches from peer1 into peer2, and where it must land.
DOCKER_TEST_FILE ?= peer1_kb_0001.txt
PEERS := peer1 peer2

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build target/p2pshare.jar (no tests)
	$(MVN) -DskipTests package

$(JAR):
	$(MVN) -DskipTests package

test: ## Run all unit and integration tests
	mvn -B test

test-slow: ## Only the long and timing-based tests (JUnit tag slow: load, chaos, 1 GiB, throughput)
	mvn -B test -Dsurefire.excludedGroups= -Dgroups=slow

demo: build ## Build, start an index and two peers on loopback, search and download
	bash bin/demo.sh

.PHONY: bench-baseline bench-jmh
bench-baseline: $(JAR) ## nginx+curl alone on peer1's generated files (bench/baseline.sh)
	bin/p2pshare bench baseline --peer peer1 --kb 200 --mb 20 --gb 0 --concurrency 1 2 4

bench-jmh: ## JMH microbenchmarks (codec, index lookups, piece hashing); not part of make test
	$(MVN) -DskipTests install
	cd bench/jmh && $(MVN) package && java -jar target/benchmarks.jar

clean: ## Remove build output, data, logs and bench results
	rm -rf target data logs bench/results

# ---- local runs (the reference workflow's names) ----

setup: ## Create data/<peer>/{shared,downloaded,replicated} and logs/ (for local and Docker runs)
	mkdir -p $(foreach p,$(PEERS),data/$(p)/shared data/$(p)/downloaded data/$(p)/replicated logs/$(p)) logs/indexing-server
	@if [ "$(HOST_UID)" = 0 ] && [ "$(P2P_UID)" != 0 ]; then chown -R $(P2P_UID):$(P2P_GID) data logs; fi

generate-peer1: setup $(P2P_DEPS) ## Generate peer1's dataset (100 x 1 KiB, 10 x 1 MiB) into data/peer1/shared
	$(P2P) generate --peer peer1 --sizes kb,mb --config config/docker.peer.json --data-dir data

generate-peer2: setup $(P2P_DEPS) ## Generate peer2's dataset (100 x 1 KiB, 10 x 1 MiB) into data/peer2/shared
	$(P2P) generate --peer peer2 --sizes kb,mb --config config/docker.peer.json --data-dir data

run-index: $(JAR) ## Run the index on 127.0.0.1:7000 in the foreground (logs/index.log)
	P2P_LOG_FILE=1 bin/p2pshare index

run-peer1: $(JAR) setup ## Run peer1 (interactive) against the local index (logs/peer1.log)
	P2P_LOG_FILE=1 bin/p2pshare peer --peer peer1

run-peer2: $(JAR) setup ## Run peer2 (interactive) against the local index (logs/peer2.log)
	P2P_LOG_FILE=1 bin/p2pshare peer --peer peer2

bench-quick: $(JAR) ## Quick benchmark on an own loopback index + peer (< 2 min), JSON into bench/results/
	bin/p2pshare bench quick --peer peer1 --self-contained

bench-sweep: $(JAR) ## Strong-scaling sweep at concurrency 1 2 4 + nginx+curl baseline, JSON and PNG into bench/results/
	bin/p2pshare bench sweep --peer peer1 --self-contained --kb 200 --mb 20 --gb 0 --concurrency 1 2 4
	bin/p2pshare plot --input bench/results/strong_scaling_sweep.json --output bench/results/strong_throughput.png

plot: $(JAR) ## Plot throughput vs concurrency from the sweep into bench/results/strong_throughput.png (+ .csv)
	bin/p2pshare plot --input bench/results/strong_scaling_sweep.json --output bench/results/strong_throughput.png

# ---- Docker / Compose (docker-compose.yml, docker/Dockerfile) ----

docker-build: ## Build the p2pshare image (both roles)
	$(COMPOSE) build

docker-up: setup docker-build ## Build, generate both datasets in containers, start index + peer1 + peer2
	$(COMPOSE) run --rm --no-deps -T peer1 generate --peer peer1 --sizes kb,mb --config /app/config/docker.peer.json
	$(COMPOSE) run --rm --no-deps -T peer2 generate --peer peer2 --sizes kb,mb --config /app/config/docker.peer.json
	$(COMPOSE) up -d
	@echo "waiting for peer1 to register $(DOCKER_TEST_FILE) ..."
	@for i in $$(seq 60); do \
	  $(COMPOSE) exec -T peer2 java -jar /app/p2pshare.jar search $(DOCKER_TEST_FILE) --index indexing-server:7000 >/dev/null 2>&1 && { echo "cluster up"; exit 0; }; \
	  sleep 2; done; echo "cluster did not come up; see make docker-logs" >&2; exit 1

docker-test: ## From inside peer2: search and download peer1_kb_0001.txt into data/peer2/downloaded/, verified
	$(COMPOSE) exec -T peer2 java -jar /app/p2pshare.jar search $(DOCKER_TEST_FILE) --index indexing-server:7000
	$(COMPOSE) exec -T peer2 java -jar /app/p2pshare.jar get $(DOCKER_TEST_FILE) --index indexing-server:7000 --out /app/data/peer2/downloaded
	cmp data/peer1/shared/$(DOCKER_TEST_FILE) data/peer2/downloaded/$(DOCKER_TEST_FILE)
	@echo "docker-test: $(DOCKER_TEST_FILE) downloaded into data/peer2/downloaded/ and identical to peer1's"

docker-logs: ## Follow the logs of all three containers
	$(COMPOSE) logs -f --tail=100

docker-down: ## Stop and remove the containers (data and logs stay)
	$(COMPOSE) down

docker-clean: ## Remove containers, volumes and orphan containers (the image stays)
	$(COMPOSE) down --volumes --remove-orphans

# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Node 24 for every target (and every script a target runs): scripts/node-env.sh prints the directory of a
# Node 24 (the machine's when it is 24 or newer; otherwise the pinned one, installed once into
# ${XDG_CACHE_HOME:-~/.cache}/ticketing-dev/node-<version>/), which goes first on PATH.
REPO_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
NODE_BIN := $(shell $(REPO_DIR)/scripts/node-env.sh)
ifeq ($(NODE_BIN),)
$(error no Node 24: scripts/node-env.sh failed (its message is above))
endif
export PATH := $(NODE_BIN):$(PATH)

.PHONY: help node install build lint typecheck test test-web test-faults bench dev dev-down infra-up infra-down infra-status clean clean-cache

help: ## List the targets
	@echo "usage: make <target>"
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

node: ## Print the Node and npm every target runs with (installs the pinned Node 24 when needed)
	@echo "node $$(node -v) ($$(command -v node)), npm $$(npm -v)"

install: ## npm ci when node_modules is missing, older than package-lock.json or built by another Node major
	@scripts/install.sh

build: install ## Build every workspace, in the order of the root package.json
	npm run build

lint: install ## ESLint and the Prettier check over the whole repository
	npm run lint

typecheck: install ## tsc --noEmit in every workspace
	npm run typecheck

test: ## From a fresh machine: install, start the stack, build, run every test, stop what it started
	@scripts/test.sh

test-faults: install build ## Fault injection (Kafka, Redis, MongoDB, consumer crashes, SIGTERM) on a private stack, with the history checker
	npx vitest run --config tests/faults/vitest.config.ts

test-web: infra-up build ## Browser tests of the web app (Playwright, Debian Chromium) against the running stack
	@services/web/e2e/run.sh

bench: infra-up build ## Every benchmark scenario, warm-up + 3 runs each (long), medians into bench/REPORT.md (BENCH_ARGS=--quick)
	node bench/run-all.mjs $(BENCH_ARGS)

dev: infra-up build ## Start the stack and every built service (gateway last) and print the URLs
	@dev/services.sh up

dev-down: ## Stop the services `make dev` started (the stack keeps running)
	@dev/services.sh down

infra-up: install ## Start Kafka, the MongoDB-compatible server and Redis, and create the topics
	@dev/stack.sh up

infra-down: ## Stop the local stack; no process is left behind
	@dev/stack.sh down

infra-status: ## One line per server; fails when any is down
	@dev/stack.sh status


clean: ## Stop services and the stack, then delete .data (data, logs, pids)
	@dev/services.sh down
	@dev/stack.sh down
	rm -rf .data

clean-cache: ## Delete the per-user download/build cache ~/.cache/ticketing-dev (Kafka jars, FerretDB, tools)
	@dev/stack.sh purge-cache

# Kubernetes: k8s-validate, cluster-up, deploy, skaffold-dev, cluster-down
include k8s/k8s.mk

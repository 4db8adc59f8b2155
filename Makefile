# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

.PHONY: help install build lint typecheck test test-web dev dev-down infra-up infra-down infra-status clean clean-cache

help: ## List the targets
	@echo "usage: make <target>"
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

install: ## npm ci when node_modules is missing or older than package-lock.json
	@scripts/install.sh

build: install ## Build every workspace, in the order of the root package.json
	npm run build

lint: install ## ESLint and the Prettier check over the whole repository
	npm run lint

typecheck: install ## tsc --noEmit in every workspace
	npm run typecheck

test: ## From a fresh machine: install, start the stack, build, run every test, stop what it started
	@scripts/test.sh

test-web: infra-up build ## Browser tests of the web app (Playwright, Debian Chromium) against the running stack
	@services/web/e2e/run.sh

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

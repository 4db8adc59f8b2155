# Kubernetes targets; the root Makefile includes this file (`include k8s/k8s.mk`).
# Tools (kind, helm, kubeconform, actionlint) are built into ~/.cache/ticketing-dev/k8s-tools on first use.
.PHONY: k8s-validate cluster-up deploy skaffold-dev cluster-down

k8s-validate: ## Offline checks of the charts, k8s/ manifests, Dockerfiles, skaffold and workflows
	@k8s/validate.sh

cluster-up: ## kind cluster + metrics-server, Traefik, Strimzi, MongoDB operator, Kafka, MongoDB, Redis (needs docker)
	@k8s/cluster-up.sh

deploy: ## Build the images, load them into kind, helm upgrade --install the umbrella chart, helm test
	@k8s/deploy.sh

skaffold-dev: ## skaffold dev -p dev against the kind cluster (gateway on localhost:4000); needs skaffold on PATH
	@command -v skaffold >/dev/null 2>&1 || { echo "'skaffold' not found on PATH: install skaffold v2 (see README.md, Run on Kubernetes)" >&2; exit 1; }
	skaffold dev -p dev --kube-context kind-ticketing

cluster-down: ## Delete the kind cluster
	@k8s/cluster-down.sh

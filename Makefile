# pinniped: build, code generation and tests. `make help` lists the targets.
SHELL := /usr/bin/env bash

GO ?= go
# Integration tests start real control planes; give them time on two cores.
TEST_TIMEOUT ?= 30m

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build every package.
	$(GO) build ./...

.PHONY: codegen
codegen: ## Regenerate deepcopy/conversion/defaults, clients, openapi and CRDs.
	hack/update-codegen.sh

.PHONY: verify
verify: lint ## Lint, and fail if generated code is out of date.
	hack/verify-codegen.sh

.PHONY: lint
lint: ## gofmt and go vet.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^hack/tools/')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

.PHONY: tools
tools: ## Build kube-apiserver, etcd, kubectl and dex into bin/ (skipped when up to date).
	hack/build-tools.sh

.PHONY: test
test: tools ## Unit and integration tests (starts real kube-apiservers).
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

.PHONY: demo
demo: ## Start the whole system on loopback (see README.md); prints what to try.
	@hack/demo.sh up

.PHONY: demo-down
demo-down: ## Stop every process of the demo and remove .demo/.
	@hack/demo.sh down

.PHONY: demo-status
demo-status: ## Say whether the demo is up, and what to try.
	@hack/demo.sh status

# demarc — developer tasks. `make help` lists them.
GO      ?= go
BIN     ?= bin/demarc
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/demarc-sec/demarc/internal/cli.Version=$(VERSION)

.PHONY: help build test race bench e2e lint fuzz example ci

help: ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/demarc
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/demarc

test: ## unit tests (e2e tests skip without moto)
	$(GO) test ./...

race: ## the full suite with the race detector, starting moto (the CI command)
	bash scripts/test.sh

bench: ## benchmarks of the engines and rules
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

e2e: ## end-to-end tests against a local moto server
	DEMARC_REQUIRE_MOTO=1 bash -c 'eval "$$(scripts/moto.sh start)"; trap "scripts/moto.sh stop" EXIT; $(GO) test -count=1 ./test/e2e/...'

lint: ## gofmt + go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

ci: ## what CI runs
	bash .ci/run

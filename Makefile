# Crossdock. `make run` starts the console with demo data and the development
# login; `make test` runs every test against real PostgreSQL, Redis and Chromium.
SHELL := /bin/bash
GO ?= go
BIN := bin/crossdock
TEMPL_VERSION := $(shell awk '$$1 == "github.com/a-h/templ" {print $$2}' go.mod)
TEMPL := $(shell $(GO) env GOPATH)/bin/templ

# Local defaults for `make run` (override in the environment).
export CROSSDOCK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crossdock?sslmode=disable
export CROSSDOCK_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run build services test generate check-generated bench fuzz lint clean help

help: ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

run: services build ## console at http://localhost:8080 with demo data and the dev login
	$(BIN) migrate up
	$(BIN) seed --demo
	CROSSDOCK_DEV_LOGIN=true $(BIN) all

build: ## build bin/crossdock
	$(GO) build -o $(BIN) .

services: ## make sure PostgreSQL and Redis answer; start them with docker compose if not
	@./.ci/services.sh

test: ## all tests (unit, HTTP, OIDC, browser) against real services
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

generate: $(TEMPL) ## regenerate templ code
	$(TEMPL) generate

check-generated: $(TEMPL) ## fail when generated templ code differs from its sources
	$(TEMPL) generate
	@if [ -n "$$(git status --porcelain -- '*_templ.go')" ]; then \
		echo "templ generate changed committed files: run 'make generate' and commit"; git status --porcelain -- '*_templ.go'; exit 1; fi

$(TEMPL):
	$(GO) install github.com/a-h/templ/cmd/templ@$(TEMPL_VERSION)

bench: ## benchmarks with their figures
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

fuzz: ## run each fuzz target for FUZZTIME (default 60s)
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-60s} $$pkg || exit 1; done; done

clean:
	rm -rf bin artifacts

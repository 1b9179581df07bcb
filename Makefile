# querylens — `make run` builds and starts the collector, `make test` runs every test.
SHELL := /bin/bash
GO ?= go

BIN   := $(CURDIR)/bin
BUILD := $(CURDIR)/build

OCB_VERSION := v0.161.0
OCB         := $(BIN)/builder-$(OCB_VERSION)
COLLECTOR   := $(BIN)/otelcol-querylens
CLI         := $(BIN)/querylens
BOOKSHOP    := $(BIN)/bookshop
DIST        := $(BUILD)/otelcol-querylens
VERSION     := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# What the collector is built from: rebuild only when one of these changes.
GO_SOURCES := $(shell find . -name '*.go' -not -name '*_test.go' \
	-not -path './build/*' -not -path './bin/*' -not -path './testdata/*' -not -path './e2e/*')
COLLECTOR_INPUTS := $(GO_SOURCES) go.mod go.sum \
	collector-builder/builder-config.yaml collector-builder/default_config.go.tmpl config/local.yaml

.PHONY: build run demo test fmt-check vet unit e2e clean

build: $(COLLECTOR) $(CLI)

$(CLI): $(GO_SOURCES) go.mod go.sum
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $@ ./cmd/querylens

$(OCB):
	mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	mv $(BIN)/builder $@

# ocb generates the sources; default_config.go and local.yaml are added so that the
# binary runs the local default configuration when started without --config.
$(COLLECTOR): $(OCB) $(COLLECTOR_INPUTS)
	mkdir -p $(BUILD)
	cd collector-builder && $(OCB) --config builder-config.yaml --skip-compilation
	cp collector-builder/default_config.go.tmpl $(DIST)/default_config.go
	cp config/local.yaml $(DIST)/
	cd collector-builder && $(OCB) --config builder-config.yaml --skip-generate --skip-get-modules
	cp $(DIST)/otelcol-querylens $@.new && mv $@.new $@  # a running collector keeps its old file

run: build
	$(COLLECTOR)

# The GORM demo service (its own module, examples/bookshop).
$(BOOKSHOP): $(wildcard examples/bookshop/*.go) examples/bookshop/go.mod examples/bookshop/go.sum
	cd examples/bookshop && $(GO) build -o $@ .

demo: build $(BOOKSHOP)
	examples/demo.sh

test: fmt-check vet unit e2e

fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

# Every package's tests, under the race detector.
unit:
	$(GO) test -race -count=1 ./...

# End to end through the real binary.
e2e: build $(BOOKSHOP)
	QUERYLENS_BOOKSHOP=$(BOOKSHOP) QUERYLENS_CLI=$(CLI) QUERYLENS_COLLECTOR=$(COLLECTOR) $(GO) test -count=1 -v -tags e2e ./e2e/... 2>&1 | grep -v "^        20"

# The benchmarks, not part of `make test`: the Go micro-benchmarks, then the end-to-end
# load benchmark (cmd/loadbench: passthrough, groupbytrace and querylens in the real
# collector, BENCH_DURATION of traffic each), which writes BENCHMARKS.md.
BENCH_DURATION ?= 25s
BENCH_FLAGS    ?=

.PHONY: bench
bench: build
	mkdir -p $(BUILD)/bench
	set -o pipefail; $(GO) test -run XXX -bench . -benchmem ./internal/... ./processor/... ./connector/... | tee $(BUILD)/bench/micro.txt
	$(GO) run ./cmd/loadbench -collector $(COLLECTOR) -duration $(BENCH_DURATION) -workdir $(BUILD)/bench \
		-micro $(BUILD)/bench/micro.txt -profile -out BENCHMARKS.md $(BENCH_FLAGS)

clean:
	rm -rf $(BUILD) $(COLLECTOR) $(CLI) $(BOOKSHOP)

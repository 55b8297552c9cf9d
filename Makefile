# portalctl — every set-up step a fresh machine needs is here.
#   make demo    the main job end to end on the bundled emulator
#   make test    the whole suite (what CI runs)
#   make bench   benchmarks, see BENCHMARKS.md
#   make fuzz    the fuzz targets, longer (FUZZTIME=5m make fuzz)

GO        ?= go
BIN       := bin
FUZZTIME  ?= 60s
# Each fuzz target runs briefly in `make test` and for FUZZTIME in `make fuzz`.
FUZZ_TARGETS := \
	./schema:FuzzParse \
	./schema:FuzzNodeBound \
	./schema:FuzzExpire \
	./portal:FuzzNormalizeEmail \
	./reconcile:FuzzReadPlan \
	./report:FuzzEscape \
	./report:FuzzCode \
	./qovery/emulator:FuzzParseSeed

BENCH     ?= .
BENCHTIME ?= 1s

.PHONY: all build test vet fmt-check unit fuzz-short fuzz bench demo clean

all: build

build:
	$(GO) build -o $(BIN)/portalctl ./cmd/portalctl
	$(GO) build -o $(BIN)/portal-emulator ./cmd/portal-emulator
	$(GO) build -o $(BIN)/portal-gen ./cmd/portal-gen

test: fmt-check vet unit fuzz-short

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name (5s)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime 5s -fuzzminimizetime 100x $$pkg || exit 1; \
	done

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg || exit 1; \
	done

# Go benchmarks (load, validate, index, impact at 1k/10k/100k members; plan against
# the emulator with 20 ms latency), then whole processes: the parse floor side by
# side with validate and preview, memory on the densest files, plan round trips.
bench: build
	$(GO) build -o $(BIN)/yamlfloor ./internal/cmd/yamlfloor
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) ./schema ./reconcile ./cmd/portalctl
	./examples/bench/floor.sh
	./examples/bench/cli.sh

demo: build
	./examples/demo/demo.sh

clean:
	rm -rf $(BIN) .demo

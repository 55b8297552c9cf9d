# portalctl — every set-up step a fresh machine needs is here.
#   make demo    the main job end to end on the bundled emulator
#   make test    the whole suite (what CI runs)
#   make bench   benchmarks, see BENCHMARKS.md
#   make fuzz    the fuzz targets, longer (FUZZTIME=5m make fuzz); fuzz-short: 3 s each
#   make dist    release archives and checksums in dist/ (dist-check: twice, compared)

GO        ?= go
BIN       := bin
FUZZTIME  ?= 60s
# `make fuzz-short`: a few seconds of fuzzing per target, one worker, as a smoke test.
FUZZTIME_SHORT ?= 3s
FUZZ_WORKERS_SHORT ?= 1

BENCH     ?= .
BENCHTIME ?= 1s

# Builds stamp the VCS revision into the binaries (`portalctl version`) even where
# GOFLAGS says -buildvcs=false; outside a git checkout there is nothing to stamp.
BUILDVCS  := -buildvcs=auto

# `make test` builds everything once, with the race detector: vet, the tests, the
# binaries of the quick-start test and the workflow linter all share that build.
# Fuzzing needs its own instrumented build and runs without -race. Neither carries
# debug information (DWARF), which no test reads and which costs about a sixth of
# the build.
NODEBUG      := -gcflags=all=-dwarf=false -ldflags=-w
TEST_GOFLAGS := -race -trimpath $(NODEBUG)
FUZZ_GOFLAGS := -trimpath $(NODEBUG)

# Every fuzz target of the module, as dir:FuzzName, found in the test files.
fuzz_targets = $(shell grep -rHoE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git \
	'^func Fuzz[A-Za-z0-9_]*' . | sed -E 's|^(.*)/[^/]*:func (Fuzz.*)$$|\1:\2|' | sort -u)

DIST      := dist
DIST_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

.PHONY: all build test vet fmt-check unit fuzz-short fuzz lint-workflows bench demo dist dist-check clean

all: build

build:
	$(GO) build $(BUILDVCS) -o $(BIN)/ ./cmd/portalctl ./cmd/portal-emulator ./cmd/portal-gen

# The race build once: go vet builds it, side by side with the workflow lint (whose
# actionlint build shares the flags), then the tests reuse it. The seeds of every fuzz
# target run as tests there; fuzzing itself, a build of its own, is `make fuzz`.
test: fmt-check
	@$(MAKE) --no-print-directory -j2 --output-sync=target vet lint-workflows
	@$(MAKE) --no-print-directory unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	GOFLAGS='$(TEST_GOFLAGS)' $(GO) vet ./...

# -vet=off: `make vet` runs every analyzer on every package; go test would type-check
# each package again for its subset. The slowest packages are named first so that
# they start first (go test runs packages in the order given, two at a time on two
# cores) and no long one is left alone at the end.
SLOW_TEST_PKGS := ./cmd/portalctl ./schema ./action ./report
unit:
	GOFLAGS='$(TEST_GOFLAGS)' $(GO) test -count=1 -vet=off $(SLOW_TEST_PKGS) ./...

# The example workflows and action.yml, with actionlint (a tool pinned in go.mod).
# A copy of the workflows that uses the action from this checkout (uses: ./), in a
# repository of its own (actionlint resolves ./ from the repository's root), makes
# actionlint also check action.yml and the inputs the workflows give it.
lint-workflows:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	git init -q "$$tmp" && mkdir -p "$$tmp/.github/workflows" && cp action.yml "$$tmp/" && \
	for f in examples/workflows/*.yml; do \
		sed -E 's|uses: qovery/portalctl@[^ ]+|uses: ./|' "$$f" > "$$tmp/.github/workflows/$${f##*/}"; \
	done && \
	GOFLAGS='$(TEST_GOFLAGS)' $(GO) tool actionlint examples/workflows/*.yml "$$tmp"/.github/workflows/*.yml && \
	echo "actionlint $$(GOFLAGS='$(TEST_GOFLAGS)' $(GO) tool actionlint -version | head -n 1): examples/workflows and action.yml are clean"

fuzz-short:
	@for t in $(fuzz_targets); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME_SHORT), $(FUZZ_WORKERS_SHORT) worker)"; \
		GOFLAGS='$(FUZZ_GOFLAGS)' $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME_SHORT) -parallel $(FUZZ_WORKERS_SHORT) -fuzzminimizetime 100x $$pkg || exit 1; \
	done

fuzz:
	@for t in $(fuzz_targets); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		GOFLAGS='$(FUZZ_GOFLAGS)' $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg || exit 1; \
	done

# Go benchmarks (load, validate, index, impact at 1k/10k/100k members; plan against
# the emulator with 20 ms latency), then whole processes: the parse floor side by
# side with validate and preview, memory on the densest files, how preview grows
# with the change, plan round trips.
bench: build
	$(GO) build -o $(BIN)/yamlfloor ./internal/cmd/yamlfloor
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) ./schema ./reconcile ./planfile ./cmd/portalctl
	./examples/bench/floor.sh
	./examples/bench/preview.sh
	./examples/bench/cli.sh
	./examples/bench/split.sh
	./examples/bench/review.sh

demo: build
	./examples/demo/demo.sh

# Release archives: portalctl for each platform, built reproducibly (-trimpath, no
# cgo, the version and commit stamped from git: tag the commit vX.Y.Z first), then
# archived with fixed dates, owners and order by cmd/portal-dist, with a SHA-256
# checksums file. VERSION=vX.Y.Z makes it refuse binaries of any other version.
dist:
	rm -rf $(DIST)
	@set -e; for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "build portalctl $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 GOFLAGS= $(GO) build -trimpath -buildvcs=true -ldflags='-s -w' \
			-o $(DIST)/build/$${os}_$$arch/ ./cmd/portalctl; \
	done
	GOFLAGS= $(GO) run -buildvcs=false ./cmd/portal-dist --out $(DIST) --extra README.md $(addprefix --extra ,$(sort $(wildcard docs/*.md))) $(if $(VERSION),--version $(VERSION)) $(DIST)/build/*/*
	rm -rf $(DIST)/build

# Proves `make dist` reproducible: two clones of HEAD in different directories, each
# with an empty build cache, must give identical checksums files. Slow (two cold
# cross-builds): run it before a release, not in `make test`.
dist-check:
	./.ci/dist-check

clean:
	rm -rf $(BIN) $(DIST) .demo

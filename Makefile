# HilTuner — top-level commands. `make test` and `make tune` are the two set-up commands of the README.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := build

DOTNET   ?= dotnet
CONFIG   ?= Release
OUT      ?= out
HILTUNER := $(DOTNET) src/HilTuner.Cli/bin/$(CONFIG)/net10.0/hiltuner.dll

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: build deps test tune bench firmware fuzz format clean

## build: restore and build every project (warnings are errors)
build:
	$(DOTNET) build HilTuner.sln -c $(CONFIG) --nologo -v quiet

## deps: install what the tests need when it is missing (apt packages; NuGet restore happens in build)
deps:
	tools/ensure-deps.sh

## test: every test project and the C agent's tests; ends with one line "N passed, N failed, N skipped"
test: deps build
	tools/run-tests.sh $(CONFIG)

## tune: the main job — tune ResNet-18's ten conv2d layers on the simulator (the embedded default board) with
## AutoTVM's XGB baseline, 1000 trials per layer as VTA's tutorial does (capped at each space's size). A run
## that is interrupted continues where it stopped (--resume); `make clean` or removing out/ starts afresh.
TUNE_TUNER ?= xgb
TUNE_TRIALS ?= 1000
TUNE_SEED ?= 1
tune: build
	@mkdir -p $(OUT)
	$(HILTUNER) tune --network resnet18 --board boards/sim.json --target sim --tuner $(TUNE_TUNER) \
	  --trials $(TUNE_TRIALS) --seed $(TUNE_SEED) --log $(OUT)/resnet18.log --plot $(OUT)/resnet18.png --resume
	$(HILTUNER) log summary $(OUT)/resnet18.log > $(OUT)/resnet18-summary.txt
	@echo "table: $(OUT)/resnet18-summary.txt (hiltuner log summary), best records: hiltuner log best $(OUT)/resnet18.log"

## bench: the performance benchmarks, each printing ratios measured side by side in one run
bench: build
	$(HILTUNER) bench sim

## firmware: the board agent for the host, armhf and aarch64
firmware:
	$(MAKE) -C firmware-stubs all cross

## fuzz: run the agent's frame-parser fuzzer for a bounded time
fuzz:
	$(MAKE) -C firmware-stubs fuzz

## format: check that the C# code is `dotnet format` clean
format:
	$(DOTNET) format HilTuner.sln --verify-no-changes

clean:
	$(DOTNET) clean HilTuner.sln -c $(CONFIG) --nologo -v quiet
	-$(MAKE) -C firmware-stubs clean
	rm -rf $(OUT)

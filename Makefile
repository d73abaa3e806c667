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

.PHONY: build deps test tune edge bench firmware fuzz format clean

## build: restore and build every project (warnings are errors), and the board agent's host build that the
## bridge's tests run (firmware-stubs/build/host/vta-agent); then the `hiltuner` launcher at the repository root is
## linked into $(BINDIR) when that directory is writable (an existing file there that is not a link is left alone)
BINDIR ?= /usr/local/bin
build:
	$(DOTNET) build HilTuner.sln -c $(CONFIG) --nologo -v quiet
	$(MAKE) -s -C firmware-stubs host
	@if [ -d "$(BINDIR)" ] && [ -w "$(BINDIR)" ] && { [ -L "$(BINDIR)/hiltuner" ] || [ ! -e "$(BINDIR)/hiltuner" ]; }; then \
	  ln -sfn "$(CURDIR)/hiltuner" "$(BINDIR)/hiltuner" && echo "build: linked $(BINDIR)/hiltuner -> $(CURDIR)/hiltuner (the hiltuner command)"; \
	elif [ -e "$(BINDIR)/hiltuner" ] && [ ! -L "$(BINDIR)/hiltuner" ]; then \
	  echo "build: $(BINDIR)/hiltuner exists and is not a link: left alone; run $(CURDIR)/hiltuner"; \
	else \
	  echo "build: $(BINDIR) is not writable: run $(CURDIR)/hiltuner, or link it into a directory on your PATH"; \
	fi

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

## edge: the validity predictor for the board: hiltuner-predict published self-contained for linux-arm64 in
## out/edge/linux-arm64, with beside it validity.onnx trained on out/resnet18.log (`make tune` runs first when the
## log is missing). Copy the folder to an arm64 board; it needs no .NET there.
EDGE_DIR := $(OUT)/edge/linux-arm64
edge: build | $(OUT)/resnet18.log
	$(DOTNET) publish src/HilTuner.Edge -c $(CONFIG) -r linux-arm64 --self-contained -o $(EDGE_DIR) --nologo -v quiet
	$(HILTUNER) model train-validity --log $(OUT)/resnet18.log --board boards/sim.json --out $(EDGE_DIR)/validity.onnx
	@rm -f $(EDGE_DIR)/validity.mlnet.zip # the ML.NET form is for the host's --engine mlnet; the board runs the ONNX file
	@echo "edge: copy $(EDGE_DIR)/ to the board (e.g. scp -r $(EDGE_DIR) root@BOARD:hiltuner-predict) and run there:" \
	  "hiltuner-predict/hiltuner-predict --model hiltuner-predict/validity.onnx --workload resnet18.C11 --all" \
	  "(or --index N / --knobs JSON; --board FILE for the board's own board file)"

# The tuning log `make edge` trains on: made by `make tune` when it is missing (an existing log is used as it is).
$(OUT)/resnet18.log: | build
	$(MAKE) tune

## bench: the performance benchmarks, each printing ratios measured side by side in one run
bench: build
	$(HILTUNER) bench sim
	tools/bench-link.sh $(CONFIG)

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

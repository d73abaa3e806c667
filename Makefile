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

.PHONY: build deps test tune edge bench faults firmware fuzz format clean

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

## edge: the validity predictor for the boards: hiltuner-predict published for each board platform under out/edge/,
## with beside it validity.onnx trained on out/resnet18.log (`make tune` runs first when the log is missing):
##   linux-arm64 (Ultra96, ZCU104): self-contained and trimmed, OnnxRuntime runs the model; the board needs no .NET;
##   linux-arm (PYNQ-Z1/Z2, DE10-Nano): framework-dependent (the package source serves no .NET runtime for 32-bit ARM),
##   the managed evaluator runs the same ONNX file (OnnxRuntime has no 32-bit ARM library); the board needs the
##   .NET 10 runtime; armhf-agent: the static board agent, whose `predict` evaluates the same ONNX file on a board with
##   nothing installed (rows from `hiltuner-predict --features`). Each publish takes the shared build lock EDGE_LOCK (when flock is there; `EDGE_LOCK=` when the
##   caller already holds it, e.g. `flock /tmp/hiltuner-build.lock make edge EDGE_LOCK=`). Ends with each folder's size.
EDGE_PLATFORMS := linux-arm64 linux-arm
EDGE_LOCK ?= /tmp/hiltuner-build.lock
FLOCK := $(if $(EDGE_LOCK),$(if $(shell command -v flock),flock $(EDGE_LOCK)))
edge: build | $(OUT)/resnet18.log
	$(HILTUNER) model train-validity --log $(OUT)/resnet18.log --board boards/sim.json --out $(OUT)/edge/validity.onnx
	@rm -f $(OUT)/edge/validity.mlnet.zip # the ML.NET form is for the host's --engine mlnet; the boards run the ONNX file
	@for rid in $(EDGE_PLATFORMS); do \
	  rm -rf $(OUT)/edge/$$rid; \
	  $(FLOCK) $(DOTNET) publish src/HilTuner.Edge -c $(CONFIG) -r $$rid -o $(OUT)/edge/$$rid --nologo -v quiet \
	    $$([[ $$rid == linux-arm64 ]] && echo --self-contained) || exit 1; \
	  cp $(OUT)/edge/validity.onnx $(OUT)/edge/$$rid/validity.onnx; \
	done
	$(MAKE) -s -C firmware-stubs ensure-cross build/armhf/vta-agent
	@mkdir -p $(OUT)/edge/armhf-agent && cp firmware-stubs/build/armhf/vta-agent $(OUT)/edge/armhf-agent/vta-agent
	@echo "edge: copy the board's folder (e.g. scp -r $(OUT)/edge/linux-arm64 root@BOARD:hiltuner-predict) and run there:" \
	  "hiltuner-predict/hiltuner-predict --model hiltuner-predict/validity.onnx --workload resnet18.C11 --all" \
	  "(linux-arm: dotnet hiltuner-predict/hiltuner-predict.dll …; --index N / --knobs JSON; --board FILE for the board's own board file)"
	@for rid in $(EDGE_PLATFORMS) armhf-agent; do \
	  printf 'edge: %-40s %6s in %d files\n' "$(OUT)/edge/$$rid/" "$$(du -sh $(OUT)/edge/$$rid | cut -f1)" "$$(find $(OUT)/edge/$$rid -type f | wc -l)"; \
	done

# The tuning log `make edge` trains on: made by `make tune` when it is missing (an existing log is used as it is).
$(OUT)/resnet18.log: | build
	$(MAKE) tune

## bench: the performance benchmarks, each printing ratios measured side by side in one run
bench: build
	$(HILTUNER) bench sim
	tools/bench-link.sh $(CONFIG)

## faults: the fault campaign through the three links of a co-simulated board (tools/fault-campaign.sh; not part of
## `make test`, ~11 min): kills, stops, line damage and resumes, then every board log compared with the simulator's;
## fails when anything is lost, duplicated, wrongly charged or crashed. FAULTS_OPTIONS: e.g. --runs 2 --seed 3
FAULTS_OPTIONS ?= --runs 10 --faults 5 --seed 1616
faults: build
	tools/fault-campaign.sh $(CONFIG) $(FAULTS_OPTIONS)

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

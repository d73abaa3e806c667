#!/usr/bin/env bash
# The firmware-stubs make targets whose tests `make test` runs (host tests always; cross tests under qemu).
echo test

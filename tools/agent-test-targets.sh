#!/usr/bin/env bash
# The firmware-stubs make targets whose tests `make test` runs: the host build's tests, and the armhf and
# aarch64 builds' tests under qemu (the targets install the cross compilers and qemu-user when missing).
echo test test-cross

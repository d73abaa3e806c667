#!/usr/bin/env bash
# Installs what HilTuner's tests need when it is missing, on Debian: apt packages (run as root, or with sudo).
# NuGet packages are restored by `dotnet build`.
set -euo pipefail

# command → Debian package providing it
declare -A needed=(
  [gcc]=gcc
  [make]=make
)

missing=()
for command in "${!needed[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${needed[$command]}")
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "ensure-deps: the .NET SDK (dotnet) is not on PATH; install it first (see README.md)" >&2
  exit 1
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "ensure-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

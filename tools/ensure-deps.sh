#!/usr/bin/env bash
# Installs what HilTuner's tests need when it is missing, on Debian: apt packages (run as root, or with sudo).
# NuGet packages are restored by `dotnet build`.
set -euo pipefail

# command → Debian package providing it
declare -A needed=(
  [gcc]=gcc
  [make]=make
  [qemu-aarch64]=qemu-user # the linux-arm64 build of hiltuner-predict runs under it (HilTuner.Edge.Tests)
  [qemu-arm]=qemu-user     # the armhf agent's model evaluator runs under it (HilTuner.Edge.Tests)
  [arm-linux-gnueabihf-gcc]=gcc-arm-linux-gnueabihf # builds that armhf agent
  [socat]=socat            # the pty pair of the serial link's tests (tools/pty-pair.sh)
  [ssh-keygen]=openssh-server # keys of the SSH link's tests: in openssh-client (with ssh), which openssh-server pulls
)

# file → Debian package holding it: sshd (not on a user's PATH), and what the arm64 build needs from the aarch64
# sysroot (qemu-aarch64 -L /usr/aarch64-linux-gnu)
declare -A needed_files=(
  [/usr/sbin/sshd]=openssh-server # the private sshd of the SSH link's tests (tools/sshd-start.sh)
  [/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1]=libc6-arm64-cross
  [/usr/aarch64-linux-gnu/lib/libgcc_s.so.1]=libgcc-s1-arm64-cross
  [/usr/aarch64-linux-gnu/lib/libstdc++.so.6]=libstdc++6-arm64-cross
)

# OpenSSL for aarch64 (.NET computes SHA-256 with it: the validity model's checksum). Debian has no arm64-cross package
# of it, so libssl3 for arm64 is fetched from the Debian archive by apt with a private state (the host gains no foreign
# architecture: libc6:arm64 installed beside libc6-arm64-cross makes qemu programs mix two C libraries and hang) and
# its two libraries are unpacked here. HilTuner.Edge.Tests passes this directory to qemu as LD_LIBRARY_PATH.
arm64_openssl=/usr/local/aarch64-linux-gnu/lib
arm64_openssl_files=(libssl.so.3 libcrypto.so.3)

declare -A packages=() # the missing ones, once each
for command in "${!needed[@]}"; do
  command -v "$command" >/dev/null 2>&1 || packages[${needed[$command]}]=1
done
for file in "${!needed_files[@]}"; do
  [[ -e $file ]] || packages[${needed_files[$file]}]=1
done
missing=("${!packages[@]}")

need_openssl=0
for file in "${arm64_openssl_files[@]}"; do
  [[ -e $arm64_openssl/$file ]] || need_openssl=1
done
what=("${missing[@]}")
((need_openssl == 0)) || what+=("libssl3 (arm64) into $arm64_openssl")

if ! command -v dotnet >/dev/null 2>&1; then
  echo "ensure-deps: the .NET SDK (dotnet) is not on PATH; install it first (see README.md)" >&2
  exit 1
fi

if ((${#what[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-deps: need root or sudo to install: ${what[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
if ((${#missing[@]} > 0)); then
  echo "ensure-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ((need_openssl)); then
  echo "ensure-deps: fetching libssl3 (arm64) from the Debian archive into $arm64_openssl"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  : >"$work/status"
  apt_arm64=(apt-get -qq -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Dir::State::Lists="$work/lists"
    -o Dir::State::Status="$work/status" -o Dir::Cache="$work/cache" -o APT::Sandbox::User="$(id -un)")
  "${apt_arm64[@]}" update
  (cd "$work" && "${apt_arm64[@]}" download libssl3)
  dpkg-deb -x "$work"/libssl3_*_arm64.deb "$work/root"
  "${sudo[@]}" install -d "$arm64_openssl"
  for file in "${arm64_openssl_files[@]}"; do
    "${sudo[@]}" install -m 0644 "$work/root/usr/lib/aarch64-linux-gnu/$file" "$arm64_openssl/$file"
  done
fi

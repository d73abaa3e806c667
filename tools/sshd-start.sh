#!/usr/bin/env bash
# Starts a private OpenSSH server on a free port of 127.0.0.1 for the SSH link's tests, everything under DIR (created
# if missing): sshd_config, an ed25519 host key (host_ed25519), a client key pair without passphrase in OpenSSH format
# (client_ed25519, client_ed25519.pub), authorized_keys, known_hosts, sshd.pid and sshd.log.
# It lets in one user, by that key only, with a minimal login shell (/bin/sh reads no start-up files for `sh -c`, so
# each exec channel starts fast): as root the system user hiltuner-ci (created if missing, home /var/lib/hiltuner-ci,
# shell /bin/sh), otherwise the current user.
# On success it prints exactly these KEY=VALUE lines on stdout, nothing else (messages go to stderr):
#   SSHD_PORT=…  SSHD_PID=…  SSHD_USER=…  SSHD_KEY=DIR/client_ed25519
#   SSHD_HOST_KEY_SHA256=… (unpadded base64, as `ssh-keygen -lf` prints it without "SHA256:")
#   SSHD_KNOWN_HOSTS=DIR/known_hosts (one line "[127.0.0.1]:PORT ssh-ed25519 AAAA…")  SSHD_LOG=DIR/sshd.log
# Stop it with tools/sshd-stop.sh DIR. Starting again in the same DIR stops the previous one first.
set -euo pipefail

usage="usage: tools/sshd-start.sh DIR"
dir=${1:?$usage}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sshd=/usr/sbin/sshd
agent="$here/../firmware-stubs/build/host/vta-agent"

fail() {
  echo "sshd-start: $*" >&2
  exit 1
}

[[ -x $sshd ]] || fail "$sshd is missing: install openssh-server (apt-get install openssh-server; tools/ensure-deps.sh does)"
command -v ssh-keygen >/dev/null 2>&1 ||
  fail "ssh-keygen is missing: install openssh-client (apt-get install openssh-client; openssh-server pulls it)"

mkdir -p "$dir" || fail "cannot create $dir"
dir=$(cd "$dir" && pwd)
# sshd_config splits values on blanks and expands % tokens: keep DIR plain.
[[ $dir =~ ^[A-Za-z0-9_./+@,:=-]+$ ]] ||
  fail "DIR '$dir' has blanks, quotes or % signs that sshd_config cannot carry; use a plain path"
chmod 755 "$dir"

# A previous server of this DIR would keep its port and its old keys: stop it.
"$here/sshd-stop.sh" "$dir"

log="$dir/sshd.log"
pidfile="$dir/sshd.pid"
config="$dir/sshd_config"

if [[ $(id -u) -eq 0 ]]; then
  user=hiltuner-ci
  if ! id "$user" >/dev/null 2>&1; then
    # -p '*': no password, yet not locked ("!"): sshd without PAM turns a locked account away even with a key.
    # Another start racing this one may create it first: then only the final check counts.
    useradd --system --shell /bin/sh --home-dir "/var/lib/$user" --create-home --password '*' "$user" >&2 || true
    id "$user" >/dev/null 2>&1 || fail "cannot create the test user $user (useradd failed; see above)"
  fi
  if [[ $(getent shadow "$user" | cut -d: -f2) == '!'* ]]; then
    usermod -p '*' "$user" >&2 || fail "cannot unlock the test user $user (usermod -p '*' $user failed)"
  fi
  # sshd run by root needs its privilege separation directory (a container may lack it).
  mkdir -p /run/sshd
  chmod 755 /run/sshd
  # sshd reads authorized_keys with the user's rights, so a DIR under a private directory (mode 700, as mkdtemp and
  # .NET's Directory.CreateTempSubdirectory make) would turn the key away; root hands the key over instead.
  keys_config="AuthorizedKeysFile none
AuthorizedKeysCommand /bin/cat $dir/authorized_keys
AuthorizedKeysCommandUser root"
  if [[ -e $agent ]] && ! runuser -u "$user" -- test -x "$agent" 2>/dev/null; then
    echo "sshd-start: warning: $user cannot execute $(realpath "$agent"): a parent directory is not world-searchable" \
      "(chmod o+x it, or copy the agent where $user can run it)" >&2
  fi
else
  user=$(id -un)
  keys_config="AuthorizedKeysFile $dir/authorized_keys"
fi

rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub" "$dir/client_ed25519" "$dir/client_ed25519.pub" "$dir/known_hosts"
ssh-keygen -q -t ed25519 -N '' -C "hiltuner test host key" -f "$dir/host_ed25519" >/dev/null ||
  fail "ssh-keygen could not write the host key $dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C "hiltuner test client" -f "$dir/client_ed25519" >/dev/null ||
  fail "ssh-keygen could not write the client key $dir/client_ed25519"
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
chmod 644 "$dir/authorized_keys"
host_key=$(ssh-keygen -l -E sha256 -f "$dir/host_ed25519.pub" | awk '{print $2}')

# A random port in 20000–60000; when it is taken sshd logs "Address already in use" and exits: try another.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
  cat >"$config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $pidfile
$keys_config
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
MaxSessions 64
MaxStartups 64
ClientAliveInterval 30
Subsystem sftp internal-sftp
CONFIG
  if ! check=$("$sshd" -t -f "$config" 2>&1); then
    fail "sshd -t refuses $config: $check"
  fi
  rm -f "$pidfile"
  : >"$log"
  # It forks into the background (its own session, standard streams on /dev/null) once the config is read; the
  # daemon then binds, listens, writes the pid file, and logs to $log.
  if ! start_error=$("$sshd" -f "$config" -E "$log" </dev/null 2>&1); then
    tail -n 20 "$log" >&2
    fail "$sshd -f $config did not start: $start_error (the end of $log is above)"
  fi
  bind_failed=0
  for _ in $(seq 1 200); do # up to ~10 s
    if [[ -s $pidfile ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      pid=$(cat "$pidfile")
      printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
      echo "SSHD_PORT=$port"
      echo "SSHD_PID=$pid"
      echo "SSHD_USER=$user"
      echo "SSHD_KEY=$dir/client_ed25519"
      echo "SSHD_HOST_KEY_SHA256=${host_key#SHA256:}"
      echo "SSHD_KNOWN_HOSTS=$dir/known_hosts"
      echo "SSHD_LOG=$log"
      exit 0
    fi
    if grep -q -e "Address already in use" -e "Cannot bind" "$log"; then
      bind_failed=1
      break
    fi
    sleep 0.05
  done
  "$here/sshd-stop.sh" "$dir"
  if ((bind_failed == 0)); then
    tail -n 20 "$log" >&2
    fail "sshd did not accept connections on 127.0.0.1:$port within 10 s (the end of $log is above)"
  fi
  echo "sshd-start: port $port is taken (attempt $attempt); trying another" >&2
done

tail -n 20 "$log" >&2
fail "sshd found no free port in 10 tries (the end of $log is above)"

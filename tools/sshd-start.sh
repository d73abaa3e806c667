#!/usr/bin/env bash
# Starts a private OpenSSH server on a free port of 127.0.0.1 for the SSH link's tests, everything under DIR:
# its config, an ed25519 host key, a client key pair, authorized_keys, pid file and log. It lets in one user with a
# minimal login shell (/bin/sh, no start-up files, so each exec channel starts fast): as root a system user
# hiltuner-ci (created if missing), otherwise the current user.
# Prints KEY=VALUE lines: SSHD_PORT, SSHD_PID, SSHD_USER, SSHD_KEY, SSHD_HOST_KEY_SHA256 (unpadded base64, as
# ssh-keygen -l prints it without "SHA256:"), SSHD_KNOWN_HOSTS, SSHD_LOG. Stop it with tools/sshd-stop.sh DIR.
set -euo pipefail

dir=${1:?usage: tools/sshd-start.sh DIR}
sshd=/usr/sbin/sshd
[[ -x $sshd ]] || { echo "sshd-start: $sshd is missing: install openssh-server (tools/ensure-deps.sh does)" >&2; exit 1; }
command -v ssh-keygen >/dev/null || { echo "sshd-start: ssh-keygen is missing: install openssh-client" >&2; exit 1; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"

if [[ $(id -u) -eq 0 ]]; then
  user=hiltuner-ci
  if ! id "$user" >/dev/null 2>&1; then
    useradd --system --shell /bin/sh --home-dir /var/lib/hiltuner-ci --create-home "$user"
  fi
  # useradd locks the account ("!"), and sshd without PAM turns locked accounts away even with a key: "*" means no
  # password, not locked.
  usermod -p '*' "$user"
  mkdir -p /run/sshd
  chmod 755 /run/sshd
else
  user=$(id -un)
fi

ssh-keygen -q -t ed25519 -N '' -C "hiltuner test host key" -f "$dir/host_ed25519" <<<y >/dev/null
ssh-keygen -q -t ed25519 -N '' -C "hiltuner test client" -f "$dir/client_ed25519" <<<y >/dev/null
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
chmod 644 "$dir/authorized_keys"

log="$dir/sshd.log"
pidfile="$dir/sshd.pid"
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  cat >"$dir/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $pidfile
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
ClientAliveInterval 30
Subsystem sftp internal-sftp
CONFIG
  "$sshd" -t -f "$dir/sshd_config" || { echo "sshd-start: $dir/sshd_config is refused by sshd -t" >&2; exit 1; }
  rm -f "$pidfile"
  : >"$log"
  "$sshd" -f "$dir/sshd_config" -E "$log"
  # Wait until it listens (or dies: the port was taken).
  for _ in $(seq 1 100); do
    if [[ -s $pidfile ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      host_key=$(ssh-keygen -l -E sha256 -f "$dir/host_ed25519.pub" | awk '{print $2}')
      printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
      echo "SSHD_PORT=$port"
      echo "SSHD_PID=$(cat "$pidfile")"
      echo "SSHD_USER=$user"
      echo "SSHD_KEY=$dir/client_ed25519"
      echo "SSHD_HOST_KEY_SHA256=${host_key#SHA256:}"
      echo "SSHD_KNOWN_HOSTS=$dir/known_hosts"
      echo "SSHD_LOG=$log"
      exit 0
    fi
    if grep -q "Address already in use\|Cannot bind" "$log" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  [[ -s $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  echo "sshd-start: port $port failed (attempt $attempt); trying another" >&2
done

echo "sshd-start: sshd did not start; the end of $log:" >&2
tail -n 20 "$log" >&2
exit 1

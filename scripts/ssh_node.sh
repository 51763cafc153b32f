#!/usr/bin/env bash
# A test "compute node" reachable over SSH: an OpenSSH server on 127.0.0.1 with its own host key
# and a client key authorised for root. Idempotent.
#   bash scripts/ssh_node.sh start|stop|status|env
set -euo pipefail
DIR=${S9S_SSHD_DIR:-/tmp/s9s-sshd}
PORT=${S9S_SSHD_PORT:-2222}
cmd=${1:-start}

running() { [ -f "$DIR/sshd.pid" ] && kill -0 "$(cat "$DIR/sshd.pid")" 2>/dev/null; }

case "$cmd" in
  start)
    if ! command -v /usr/sbin/sshd >/dev/null; then
      if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
      else
        echo "ssh_node: sshd is not installed (apt-get install openssh-server)" >&2; exit 1
      fi
    fi
    mkdir -p "$DIR" /run/sshd
    chmod 700 "$DIR"
    [ -f "$DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
    [ -f "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_key"
    cp "$DIR/client_key.pub" "$DIR/authorized_keys"
    chmod 600 "$DIR/authorized_keys"
    cat > "$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes no
UsePAM no
MaxSessions 64
MaxStartups 100:30:200
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF
    # known_hosts line for clients
    { echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/host_key.pub")"
      echo "[$(hostname -s)]:$PORT $(cut -d' ' -f1,2 "$DIR/host_key.pub")"; } > "$DIR/known_hosts"
    if running; then exit 0; fi
    # A huge open-files limit makes sshd close every possible fd for each session (seconds).
    (ulimit -n 4096; /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log")
    for _ in $(seq 1 100); do
      if ssh -q -i "$DIR/client_key" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null root@127.0.0.1 true 2>/dev/null; then exit 0; fi
      sleep 0.1
    done
    echo "ssh_node: sshd did not answer on 127.0.0.1:$PORT" >&2; tail -20 "$DIR/sshd.log" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$DIR/sshd.pid")"; fi
    rm -f "$DIR/sshd.pid"
    ;;
  status)
    running
    ;;
  env)
    echo "export S9S_TEST_SSH=1"
    echo "export S9S_TEST_SSH_HOST=127.0.0.1"
    echo "export S9S_TEST_SSH_PORT=$PORT"
    echo "export S9S_TEST_SSH_KEY=$DIR/client_key"
    echo "export S9S_TEST_SSH_KNOWN_HOSTS=$DIR/known_hosts"
    ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

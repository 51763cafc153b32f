#!/usr/bin/env bash
# A test "compute node" that allows host-based authentication ONLY, as many clusters connect
# login and compute nodes: an OpenSSH server on 127.0.0.1:$S9S_HB_PORT (default 2231) with
# `HostbasedAuthentication yes` and every other method off. The login user is "s9shb", a user
# with no key at all; the client proves which host it is with the setuid ssh-keysign, which signs
# with this machine's own /etc/ssh/ssh_host_*_key. Idempotent; root only.
#   bash scripts/ssh_hostbased.sh start|stop|status|env
#
# What it sets up (the host-based pieces of a real site, kept out of the other sshds' way):
# - sshd: its own config, host key, pid and log under $DIR; IgnoreRhosts no, so the user's
#   ~/.shosts (the per-user shosts.equiv) says which client host and user may log in, and
#   ~/.ssh/known_hosts holds the client host's key (sshd's ssh_known_hosts for host-based).
#   /etc/ssh/shosts.equiv and /etc/ssh/ssh_known_hosts are left alone: they would apply to every
#   sshd on this machine.
# - the client: ssh-keysign reads only /etc/ssh/ssh_config, so `EnableSSHKeysign yes` goes into
#   /etc/ssh/ssh_config.d/s9s-hostbased-test.conf (on its own it changes nothing: ssh uses
#   host-based only for hosts whose config says `HostbasedAuthentication yes`); `stop` removes it.
# - $DIR/ssh_config: `Host hbnode` and this host's short name (host-based) and `Host hbproxy` (the same node through a
#   ProxyCommand: `ssh -W` through hbnode as the gateway), for `ssh -F $DIR/ssh_config`; $DIR/bin/ssh runs /usr/bin/ssh with it (put
#   $DIR/bin first on PATH).
set -euo pipefail
DIR=${S9S_HB_DIR:-/tmp/s9s-sshd-hb}
PORT=${S9S_HB_PORT:-2231}
USER_NAME=s9shb
KEYSIGN_CONF=/etc/ssh/ssh_config.d/s9s-hostbased-test.conf
cmd=${1:-start}

running() { [ -f "$DIR/sshd.pid" ] && kill -0 "$(cat "$DIR/sshd.pid")" 2>/dev/null; }

keysign() {
  for k in /usr/lib/openssh/ssh-keysign /usr/libexec/openssh/ssh-keysign /usr/libexec/ssh-keysign; do
    [ -u "$k" ] && { echo "$k"; return 0; }
  done
  return 1
}

case "$cmd" in
  start)
    [ "$(id -u)" = 0 ] || { echo "ssh_hostbased: must run as root" >&2; exit 1; }
    command -v /usr/sbin/sshd >/dev/null || { echo "ssh_hostbased: sshd is not installed" >&2; exit 1; }
    keysign >/dev/null || {
      echo "ssh_hostbased: no setuid ssh-keysign (Debian: /usr/lib/openssh/ssh-keysign, openssh-client)" >&2
      exit 1
    }
    ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1 || ssh-keygen -A
    mkdir -p "$DIR/home/.ssh" /run/sshd
    chmod 755 "$DIR"
    if ! id -u "$USER_NAME" >/dev/null 2>&1; then
      useradd --home-dir "$DIR/home" --shell /bin/sh --comment "s9s host-based test user" "$USER_NAME"
    fi
    # "*": no password, yet not locked ("!"), which sshd would refuse whatever the method.
    if [ "$(getent shadow "$USER_NAME" | cut -d: -f2)" != "*" ]; then usermod -p "*" "$USER_NAME"
    fi
    [ -f "$DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
    # The client host as sshd sees it: its name from the packet ("localhost", what ssh finds for
    # its end of a TCP connection to 127.0.0.1; the host name through a ProxyCommand) and its keys.
    names=$(printf '%s\n' localhost "$(hostname)" "$(hostname -s)" | sort -u)
    for n in $names; do echo "$n root"; done > "$DIR/home/.shosts"
    for k in /etc/ssh/ssh_host_*_key.pub; do
      echo "$(echo $names | tr ' ' ,),127.0.0.1 $(cut -d' ' -f1,2 "$k")"
    done > "$DIR/home/.ssh/known_hosts"
    chown -R "$USER_NAME:" "$DIR/home"
    chmod 700 "$DIR/home/.ssh"
    chmod 600 "$DIR/home/.shosts"
    cat > "$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthenticationMethods hostbased
HostbasedAuthentication yes
HostbasedUsesNameFromPacketOnly yes
IgnoreRhosts no
PubkeyAuthentication no
PasswordAuthentication no
KbdInteractiveAuthentication no
GSSAPIAuthentication no
PermitRootLogin no
AllowUsers $USER_NAME
StrictModes no
UsePAM no
MaxSessions 64
LogLevel VERBOSE
CONF
    echo "EnableSSHKeysign yes" > "$KEYSIGN_CONF"
    echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$DIR/host_key.pub")" > "$DIR/known_hosts"
    # This machine's own name too: it is the single-node Slurm's BatchHost, so a job's files are
    # read on "the node" through this sshd, as a site's ssh_config would route them.
    cat > "$DIR/ssh_config" <<CONF
Host hbproxy
  HostKeyAlias hbnode-proxied
  ProxyCommand /usr/bin/ssh -F $DIR/ssh_config -W %h:%p hbnode

Host hbnode hbproxy $(hostname -s)
  HostName 127.0.0.1
  Port $PORT
  User $USER_NAME
  HostbasedAuthentication yes
  EnableSSHKeysign yes
  PreferredAuthentications hostbased
  UserKnownHostsFile $DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
CONF
    echo "hbnode-proxied $(cut -d' ' -f1,2 "$DIR/host_key.pub")" >> "$DIR/known_hosts"
    # `ssh` for tests that run s9s with the system ssh: the real one, reading this ssh_config.
    mkdir -p "$DIR/bin"
    printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$DIR/ssh_config" > "$DIR/bin/ssh"
    chmod 755 "$DIR/bin/ssh"
    if running; then exit 0; fi
    (ulimit -n 4096; /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log")
    for _ in $(seq 1 100); do
      if ssh -F "$DIR/ssh_config" -o BatchMode=yes hbnode true 2>/dev/null; then exit 0; fi
      sleep 0.1
    done
    echo "ssh_hostbased: host-based login to 127.0.0.1:$PORT failed" >&2
    ssh -F "$DIR/ssh_config" -o BatchMode=yes hbnode true >&2 || true
    tail -20 "$DIR/sshd.log" >&2
    exit 1
    ;;
  stop)
    if running; then kill "$(cat "$DIR/sshd.pid")"; fi
    rm -f "$DIR/sshd.pid" "$KEYSIGN_CONF"
    ;;
  status)
    running
    ;;
  env)
    echo "export S9S_TEST_HB=1"
    echo "export S9S_TEST_HB_DIR=$DIR"
    echo "export S9S_TEST_HB_PORT=$PORT"
    echo "export S9S_TEST_HB_SSH_CONFIG=$DIR/ssh_config"
    echo "export S9S_TEST_HB_BIN=$DIR/bin"
    ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

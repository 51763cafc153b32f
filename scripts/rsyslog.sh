#!/usr/bin/env bash
# A private rsyslogd for the integration tests: UDP 127.0.0.1:10514, TCP 127.0.0.1:10601, every
# received message written raw (one per line) to $DIR/messages.log. Its own config and pid file;
# the system's rsyslog (if any) is left alone. Idempotent; no systemd.
#   bash scripts/rsyslog.sh start|stop|status|env
set -euo pipefail
DIR=${S9S_RSYSLOG_DIR:-/tmp/s9s-rsyslog}
UDP_PORT=${S9S_RSYSLOG_UDP_PORT:-10514}
TCP_PORT=${S9S_RSYSLOG_TCP_PORT:-10601}
cmd=${1:-start}

running() { [ -f "$DIR/rsyslogd.pid" ] && kill -0 "$(cat "$DIR/rsyslogd.pid")" 2>/dev/null; }
# Listening sockets, from /proc (no ss/netstat needed): local port in hex, state 0A = LISTEN.
hexport() { printf '%04X' "$1"; }
listening() {
  grep -q ":$(hexport "$TCP_PORT") 00000000:0000 0A" /proc/net/tcp &&
    grep -q ":$(hexport "$UDP_PORT") 00000000:0000 07" /proc/net/udp
}

case "$cmd" in
  start)
    if ! [ -x /usr/sbin/rsyslogd ]; then
      if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsyslog >/dev/null
      else
        echo "rsyslog.sh: rsyslog is not installed (apt-get install rsyslog)" >&2; exit 1
      fi
    fi
    mkdir -p "$DIR/work"
    touch "$DIR/messages.log"
    cat > "$DIR/rsyslog.conf" <<CONF
global(workDirectory="$DIR/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="s9sRaw" type="string" string="%rawmsg%\n")
ruleset(name="s9s") {
  action(type="omfile" file="$DIR/messages.log" template="s9sRaw" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imudp" address="127.0.0.1" port="$UDP_PORT" ruleset="s9s")
input(type="imtcp" address="127.0.0.1" port="$TCP_PORT" ruleset="s9s")
CONF
    if running && listening; then exit 0; fi
    if running; then kill "$(cat "$DIR/rsyslogd.pid")" 2>/dev/null || true; sleep 0.5; fi
    rm -f "$DIR/rsyslogd.pid"
    /usr/sbin/rsyslogd -f "$DIR/rsyslog.conf" -i "$DIR/rsyslogd.pid" >"$DIR/rsyslogd.log" 2>&1
    deadline=$((SECONDS + 20))
    while [ $SECONDS -lt $deadline ]; do
      if running && listening; then exit 0; fi
      sleep 0.1
    done
    echo "rsyslog.sh: rsyslogd is not listening on 127.0.0.1:$UDP_PORT/udp and :$TCP_PORT/tcp" >&2
    cat "$DIR/rsyslogd.log" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$DIR/rsyslogd.pid")"; fi
    rm -f "$DIR/rsyslogd.pid"
    ;;
  status)
    running && listening
    ;;
  env)
    echo "export S9S_TEST_RSYSLOG_UDP=syslog://127.0.0.1:$UDP_PORT"
    echo "export S9S_TEST_RSYSLOG_TCP=syslog+tcp://127.0.0.1:$TCP_PORT"
    echo "export S9S_TEST_RSYSLOG_FILE=$DIR/messages.log"
    ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

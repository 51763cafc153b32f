#!/usr/bin/env bash
# A private Prometheus for the integration tests: 127.0.0.1:19090, a temporary TSDB, the
# remote-write receiver on, and a 1s scrape job for s9s' own /metrics endpoint (test target
# 127.0.0.1:19464). Idempotent; no systemd.
#   bash scripts/prometheus.sh start|stop|status|env
set -euo pipefail
DIR=${S9S_PROMETHEUS_DIR:-/tmp/s9s-prometheus}
PORT=${S9S_PROMETHEUS_PORT:-19090}
SCRAPE_PORT=${S9S_SCRAPE_PORT:-19464}
cmd=${1:-start}

running() { [ -f "$DIR/prometheus.pid" ] && kill -0 "$(cat "$DIR/prometheus.pid")" 2>/dev/null; }
ready() { curl -fsS -m 2 "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1; }

case "$cmd" in
  start)
    if ! command -v prometheus >/dev/null; then
      if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
      else
        echo "prometheus.sh: prometheus is not installed (apt-get install prometheus)" >&2; exit 1
      fi
    fi
    mkdir -p "$DIR"
    cat > "$DIR/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: s9s-scrape
    scrape_interval: 1s
    static_configs:
      - targets: ["127.0.0.1:$SCRAPE_PORT"]
CONF
    if running && ready; then exit 0; fi
    if running; then kill "$(cat "$DIR/prometheus.pid")" 2>/dev/null || true; sleep 0.5; fi
    rm -rf "$DIR/data"
    mkdir -p "$DIR/data"
    nohup prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
      --web.listen-address="127.0.0.1:$PORT" --web.enable-remote-write-receiver \
      --storage.tsdb.retention.time=1d >"$DIR/prometheus.log" 2>&1 </dev/null &
    echo $! > "$DIR/prometheus.pid"
    deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ]; do
      if ready; then exit 0; fi
      if ! running; then break; fi
      sleep 0.2
    done
    echo "prometheus.sh: Prometheus did not become ready on 127.0.0.1:$PORT" >&2
    tail -20 "$DIR/prometheus.log" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$DIR/prometheus.pid")"; fi
    rm -f "$DIR/prometheus.pid"
    ;;
  status)
    running && ready
    ;;
  env)
    echo "export S9S_TEST_PROMETHEUS_URL=http://127.0.0.1:$PORT"
    echo "export S9S_TEST_PROMETHEUS_SCRAPE_PORT=$SCRAPE_PORT"
    ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

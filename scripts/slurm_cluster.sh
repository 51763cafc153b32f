#!/usr/bin/env bash
# scripts/slurm_cluster.sh - single-node Slurm cluster for s9s integration tests / CI.
#
# Usage (as root, Debian/Ubuntu with Slurm 22.05 from apt):
#   bash scripts/slurm_cluster.sh start    # install (if needed) + start munged, slurmctld, slurmd,
#                                          # slurmrestd (unix socket, rest_auth/local) and
#                                          # slurmrestd (127.0.0.1:6820, rest_auth/jwt); idempotent
#   bash scripts/slurm_cluster.sh stop     # stop slurmrestd x2, slurmd, slurmctld (munged stays)
#   bash scripts/slurm_cluster.sh restart  # stop + start
#   bash scripts/slurm_cluster.sh status   # exit 0 if everything is up and healthy, 1 otherwise
#   bash scripts/slurm_cluster.sh env      # print `export` lines for the tests
#   bash scripts/slurm_cluster.sh logs     # tail all logs
#   eval "$(bash scripts/slurm_cluster.sh env)"
#
# Tunables (environment):
#   S9S_SLURM_START_TIMEOUT   seconds to wait for each readiness step (default 60)
#   S9S_SLURMRESTD_PLUGINS    slurmrestd -s value (default openapi/v0.0.38)
#   S9S_SLURMRESTD_PORT       TCP port of the JWT slurmrestd (default 6820)
#   S9S_SLURM_MIN_JOB_AGE     MinJobAge in slurm.conf (default 300)
#   S9S_SLURM_TEST_USER       if set (e.g. s9stest): create that user if missing and start a third
#                             slurmrestd (rest_auth/local) running AS that user on
#                             /run/s9s-slurmrestd/slurmrestd-<user>.sock. rest_auth/local only
#                             accepts connections from root or from slurmrestd's own uid, so the
#                             root-owned socket is unusable for other users (HTTP 401).
#   S9S_SLURM_CRED_EXPIRE     AuthInfo=cred_expire (default 10, min 5); a requeued job cannot
#                             start again before cred_expire+1 seconds have passed
set -euo pipefail
# shellcheck source=scripts/slurm_conf.sh
source "$(dirname "${BASH_SOURCE[0]}")/slurm_conf.sh"

CLUSTER=s9s
HOST=$(hostname -s)
NCPU=$(nproc)
SLURM_ETC=/etc/slurm
CONF=$SLURM_ETC/slurm.conf
CGROUP_CONF=$SLURM_ETC/cgroup.conf
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
LOG_DIR=/var/log/slurm
RUN_DIR=/run/slurm
JWT_KEY=$STATE_DIR/jwt_hs256.key
CTLD_PID=$RUN_DIR/slurmctld.pid
SLURMD_PID=$RUN_DIR/slurmd.pid
REST_SOCK_DIR=/run/s9s-slurmrestd
REST_SOCK=$REST_SOCK_DIR/slurmrestd.sock
REST_PORT=${S9S_SLURMRESTD_PORT:-6820}
REST_ADDR=127.0.0.1:$REST_PORT
REST_URL=http://$REST_ADDR
REST_UNIX_PID=$RUN_DIR/slurmrestd-unix.pid
REST_JWT_PID=$RUN_DIR/slurmrestd-jwt.pid
REST_UNIX_LOG=$LOG_DIR/slurmrestd-unix.log
REST_JWT_LOG=$LOG_DIR/slurmrestd-jwt.log
TEST_USER=${S9S_SLURM_TEST_USER:-}
REST_USER_SOCK=$REST_SOCK_DIR/slurmrestd-$TEST_USER.sock
REST_USER_PID=$RUN_DIR/slurmrestd-user.pid
REST_USER_LOG=$LOG_DIR/slurmrestd-user.log
REST_PLUGINS=${S9S_SLURMRESTD_PLUGINS:-openapi/v0.0.38}
API_VER=v0.0.38
TIMEOUT=${S9S_SLURM_START_TIMEOUT:-60}
MIN_JOB_AGE=${S9S_SLURM_MIN_JOB_AGE:-300}
CRED_EXPIRE=${S9S_SLURM_CRED_EXPIRE:-10}
MUNGE_LOG=/var/log/munge/munged.log

log() { printf '[slurm_cluster] %s\n' "$*" >&2; }

show_logs() {
  local f
  for f in "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" "$REST_UNIX_LOG" "$REST_JWT_LOG" "$REST_USER_LOG" "$MUNGE_LOG"; do
    if [[ -s $f ]]; then
      printf '\n===== tail -n 25 %s =====\n' "$f" >&2
      tail -n 25 "$f" >&2 || true
    fi
  done
}

die() {
  printf '[slurm_cluster] ERROR: %s\n' "$*" >&2
  show_logs
  exit 1
}

need_root() { [[ $(id -u) -eq 0 ]] || { echo "slurm_cluster.sh must run as root" >&2; exit 1; }; }

# wait_for <timeout-seconds> <description> <command...>: poll every 0.2s until command succeeds.
wait_for() {
  local timeout=$1; shift 2 # $2: description (for readability at the call site)
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# alive <pid>: process exists and is not a zombie (a killed daemon whose parent is a container
# init that does not reap stays a zombie; kill -0 still succeeds on it)
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# pid from pidfile if the process is alive and is the expected program
pid_of() {
  local pidfile=$1 comm=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/comm && $(<"/proc/$pid/comm") == "$comm" ]] || return 1
  alive "$pid" || return 1
  echo "$pid"
}

# kill_pids <signal-timeout-seconds> pid...: TERM, wait, then KILL.
kill_pids() {
  local t=$1; shift
  local pids=() p
  for p in "$@"; do [[ -n $p ]] && alive "$p" && pids+=("$p"); done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + t))
  while ((SECONDS < deadline)); do
    local any=0
    for p in "${pids[@]}"; do alive "$p" && any=1; done
    ((any)) || return 0
    sleep 0.2
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.2
}

# ---------------------------------------------------------------------------------------------
# installation
# ---------------------------------------------------------------------------------------------
wait_apt_idle() {
  local deadline=$((SECONDS + 1800)) said=0
  while pgrep -x apt-get >/dev/null || pgrep -x apt >/dev/null || pgrep -x dpkg >/dev/null \
    || pgrep -x unattended-upgr >/dev/null; do
    ((said)) || { log "waiting for another apt/dpkg process to finish..."; said=1; }
    ((SECONDS < deadline)) || die "apt/dpkg still busy after 30 min"
    sleep 2
  done
}

ensure_packages() {
  local -A need=()
  command -v slurmctld >/dev/null || need[slurmctld]=1
  command -v slurmd >/dev/null || need[slurmd]=1
  command -v sbatch >/dev/null || need[slurm-client]=1
  command -v slurmrestd >/dev/null || need[slurmrestd]=1
  command -v munged >/dev/null || need[munge]=1
  command -v curl >/dev/null || need[curl]=1
  # slurmctld's AuthAltTypes=auth/jwt lives in its own Debian package
  [[ -n $(find /usr/lib -name auth_jwt.so -print -quit 2>/dev/null) ]] || need[slurm-wlm-jwt-plugin]=1
  ((${#need[@]})) || return 0
  # slurm-wlm is the meta package pulling slurmctld + slurmd + slurm-client
  if [[ -n ${need[slurmctld]:-}${need[slurmd]:-}${need[slurm-client]:-} ]]; then
    unset 'need[slurmctld]' 'need[slurmd]' 'need[slurm-client]'
    need[slurm-wlm]=1
  fi
  local pkgs=("${!need[@]}")
  log "installing: ${pkgs[*]}"
  wait_apt_idle
  # don't let the packages' maintainer scripts start daemons on their own
  local policy_created=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    policy_created=1
  fi
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; } || rc=$?
  ((policy_created)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get install ${pkgs[*]} failed (rc=$rc)"
}

# ---------------------------------------------------------------------------------------------
# munge
# ---------------------------------------------------------------------------------------------
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

ensure_munge() {
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating munge key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --force --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0600 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  munge_ok && return 0
  # stale munged (e.g. socket gone)? kill it and start fresh
  local stale
  stale=$(pgrep -x munged || true)
  if [[ -n $stale ]]; then
    log "restarting unhealthy munged"
    # shellcheck disable=SC2086
    kill_pids 5 $stale
  fi
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --force >/dev/null 2>&1 || die "munged failed to start"
  wait_for 15 munge munge_ok || die "munge does not work (munge -n | unmunge)"
}

# ---------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------
render_slurm_conf() {
  cat <<EOF
# Generated by s9s scripts/slurm_cluster.sh - single-node test cluster. Do not edit by hand.
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays the restart of a requeued job (default 120s!); 5 is the minimum.
AuthInfo=cred_expire=$CRED_EXPIRE
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$JWT_KEY
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
$(slurm_conf_plugins ,default_queue_depth=200)
$(slurm_conf_timing "$MIN_JOB_AGE" requeue 30)
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
}

CONFIG_CHANGED=0

ensure_test_user() {
  [[ -n $TEST_USER ]] || return 0
  [[ $TEST_USER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "invalid S9S_SLURM_TEST_USER '$TEST_USER'"
  if ! id -u "$TEST_USER" >/dev/null 2>&1; then
    log "creating user $TEST_USER"
    useradd -m -s /bin/bash "$TEST_USER" || die "useradd $TEST_USER failed"
  fi
}

ensure_dirs() {
  install -d -m 0755 "$SLURM_ETC"
  install -d -o slurm -g slurm -m 0755 "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
  install -d -o root -g root -m 0755 "$SPOOL_DIR"
  install -d -m 0777 "$REST_SOCK_DIR"
  chmod 0777 "$REST_SOCK_DIR"
  # state from a different cluster name makes slurmctld refuse to start
  if [[ -f $STATE_DIR/clustername && $(<"$STATE_DIR/clustername") != "$CLUSTER" ]]; then
    log "moving away foreign slurmctld state ($STATE_DIR)"
    local keep_key=""
    [[ -f $JWT_KEY ]] && keep_key=$(mktemp) && cp -p "$JWT_KEY" "$keep_key"
    mv "$STATE_DIR" "$STATE_DIR.old.$(date +%s)"
    install -d -o slurm -g slurm -m 0755 "$STATE_DIR"
    [[ -n $keep_key ]] && mv "$keep_key" "$JWT_KEY"
    CONFIG_CHANGED=1
  fi
}

ensure_jwt_key() {
  if [[ ! -s $JWT_KEY ]]; then
    log "generating JWT key $JWT_KEY"
    dd if=/dev/urandom of="$JWT_KEY" bs=32 count=1 status=none
    CONFIG_CHANGED=1
  fi
  chown slurm:slurm "$JWT_KEY"
  chmod 0600 "$JWT_KEY"
}

install_if_changed() { # install_if_changed <content-file> <dest>
  if [[ ! -f $2 ]] || ! cmp -s "$1" "$2"; then
    log "writing $2"
    install -m 0644 "$1" "$2"
    CONFIG_CHANGED=1
  fi
  rm -f "$1"
}

write_config() {
  local tmp
  tmp=$(mktemp)
  render_slurm_conf >"$tmp"
  install_if_changed "$tmp" "$CONF"
  # Not strictly needed with proctrack/linuxproc + task/none, but an explicit cgroup.conf keeps
  # slurmd from probing cgroup mounts (containers) and logging errors about them.
  tmp=$(mktemp)
  printf '# Generated by s9s scripts/slurm_cluster.sh\nCgroupPlugin=autodetect\nIgnoreSystemd=yes\n' >"$tmp"
  install_if_changed "$tmp" "$CGROUP_CONF"
}

# ---------------------------------------------------------------------------------------------
# health checks
# ---------------------------------------------------------------------------------------------
ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_state() { sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n1; }

node_ok() {
  local s
  s=$(node_state)
  [[ $s =~ ^(idle|mixed|allocated|completing)$ ]]
}

rest_unix_ok() {
  [[ -S $REST_SOCK ]] &&
    curl -sf --max-time 5 --unix-socket "$REST_SOCK" "http://localhost/slurm/$API_VER/ping" >/dev/null
}

jwt_token() { scontrol token lifespan=300 2>/dev/null | sed -n 's/^SLURM_JWT=//p'; }

rest_user_ok() {
  [[ -S $REST_USER_SOCK ]] &&
    curl -sf --max-time 5 --unix-socket "$REST_USER_SOCK" "http://localhost/slurm/$API_VER/ping" >/dev/null
}

rest_jwt_ok() {
  local tok
  tok=$(jwt_token)
  [[ -n $tok ]] &&
    curl -sf --max-time 5 -H "X-SLURM-USER-NAME: root" -H "X-SLURM-USER-TOKEN: $tok" \
      "$REST_URL/slurm/$API_VER/ping" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# daemons
# ---------------------------------------------------------------------------------------------
ctld_pids() { { pid_of "$CTLD_PID" slurmctld || true; pgrep -x slurmctld || true; } | sort -u; }
slurmd_pids() { { pid_of "$SLURMD_PID" slurmd || true; pgrep -x slurmd || true; } | sort -u; }
rest_unix_pids() { { pid_of "$REST_UNIX_PID" slurmrestd || true; pgrep -f "slurmrestd .*unix:$REST_SOCK" || true; } | sort -u; }
rest_jwt_pids() { { pid_of "$REST_JWT_PID" slurmrestd || true; pgrep -f "slurmrestd .*$REST_ADDR" || true; } | sort -u; }
# any per-user instance (whatever S9S_SLURM_TEST_USER was when it was started)
rest_user_pids() { { pid_of "$REST_USER_PID" slurmrestd || true; pgrep -f "slurmrestd .*unix:$REST_SOCK_DIR/slurmrestd-" || true; } | sort -u; }

stop_all() {
  # shellcheck disable=SC2046
  kill_pids 10 $(rest_unix_pids) $(rest_jwt_pids) $(rest_user_pids)
  # shellcheck disable=SC2046
  kill_pids 15 $(slurmd_pids)
  # shellcheck disable=SC2046
  kill_pids 15 $(ctld_pids)
  rm -f "$REST_SOCK" "$REST_SOCK_DIR"/slurmrestd-*.sock "$REST_UNIX_PID" "$REST_JWT_PID" "$REST_USER_PID" \
    "$CTLD_PID" "$SLURMD_PID"
}

start_ctld() {
  if pid_of "$CTLD_PID" slurmctld >/dev/null && wait_for 5 slurmctld ctld_ok; then
    return 0
  fi
  # shellcheck disable=SC2046
  kill_pids 15 $(ctld_pids)
  log "starting slurmctld"
  slurmctld || die "slurmctld failed to start"
  wait_for "$TIMEOUT" slurmctld ctld_ok || die "slurmctld did not answer 'scontrol ping' within ${TIMEOUT}s"
}

start_slurmd() {
  if pid_of "$SLURMD_PID" slurmd >/dev/null; then
    return 0
  fi
  # shellcheck disable=SC2046
  kill_pids 15 $(slurmd_pids)
  log "starting slurmd"
  slurmd || die "slurmd failed to start"
}

wait_node() {
  local deadline=$((SECONDS + TIMEOUT)) s resumed=0
  while :; do
    s=$(node_state)
    if [[ $s =~ ^(idle|mixed|allocated|completing)$ ]]; then
      return 0
    fi
    # down/drained/fail but slurmd has registered (no '*' = responding) -> resume it
    if [[ $s =~ ^(down|drain|drained|draining|fail|failing) && $s != *'*' ]] && ((resumed < 3)); then
      log "node $HOST is '$s'; resuming"
      scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
      resumed=$((resumed + 1))
    fi
    ((SECONDS < deadline)) || die "node $HOST not idle within ${TIMEOUT}s (state: '${s:-unknown}')"
    sleep 0.2
  done
}

# start_rest <name> <pidfile> <logfile> <auth> <listen> <okfn> <pidsfn> [run-as-user]
start_rest() {
  local name=$1 pidfile=$2 logfile=$3 auth=$4 listen=$5 okfn=$6 pidsfn=$7 as_user=${8:-}
  local user_opt=()
  [[ -n $as_user ]] && user_opt=(-u "$as_user")
  if pid_of "$pidfile" slurmrestd >/dev/null && wait_for 3 "$name" "$okfn"; then
    return 0
  fi
  # shellcheck disable=SC2046
  kill_pids 10 $($pidsfn)
  [[ $listen == unix:* ]] && rm -f "${listen#unix:}"
  if [[ $listen != unix:* ]] && (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
    die "$listen is already in use by another process"
  fi
  log "starting slurmrestd ($name) on $listen"
  # slurmrestd refuses to run as root/SlurmUser without SLURMRESTD_SECURITY=disable_user_check;
  # fine for a local test cluster.
  # SLURM_JWT: for rest_auth/jwt it must be "daemon" (makes auth/jwt the primary auth plugin so
  # the client's token is passed through to slurmctld; otherwise auth/munge rejects it with
  # "Rejecting thread config token for user root"). For rest_auth/local it must be *unset* (any
  # value, even empty, switches the RPCs to auth/jwt and they fail).
  local jwt_env=(-u SLURM_JWT)
  [[ $auth == rest_auth/jwt ]] && jwt_env=(SLURM_JWT=daemon)
  env "${jwt_env[@]}" SLURMRESTD_SECURITY=disable_user_check \
    setsid nohup slurmrestd "${user_opt[@]}" -a "$auth" -s "$REST_PLUGINS" "$listen" \
    </dev/null >>"$logfile" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + TIMEOUT))
  until "$okfn" >/dev/null 2>&1; do
    # (comm may still be setsid/nohup right after the fork, so only check liveness here)
    alive "$pid" || die "slurmrestd ($name) exited"
    [[ $listen == unix:* && -S ${listen#unix:} ]] && chmod 0777 "${listen#unix:}"
    ((SECONDS < deadline)) || die "slurmrestd ($name) not answering on $listen within ${TIMEOUT}s"
    sleep 0.2
  done
  [[ $listen == unix:* ]] && chmod 0777 "${listen#unix:}"
  return 0
}

cmd_start() {
  need_root
  ensure_packages
  ensure_test_user
  ensure_dirs
  ensure_munge
  ensure_jwt_key
  write_config
  if ((CONFIG_CHANGED)); then
    if [[ -n $(ctld_pids)$(slurmd_pids)$(rest_unix_pids)$(rest_jwt_pids)$(rest_user_pids) ]]; then
      log "configuration changed; restarting Slurm daemons"
      stop_all
    fi
  fi
  start_ctld
  start_slurmd
  wait_node
  start_rest unix "$REST_UNIX_PID" "$REST_UNIX_LOG" rest_auth/local "unix:$REST_SOCK" rest_unix_ok rest_unix_pids
  start_rest jwt "$REST_JWT_PID" "$REST_JWT_LOG" rest_auth/jwt "$REST_ADDR" rest_jwt_ok rest_jwt_pids
  if [[ -n $TEST_USER ]]; then
    start_rest "user $TEST_USER" "$REST_USER_PID" "$REST_USER_LOG" rest_auth/local "unix:$REST_USER_SOCK" \
      rest_user_ok rest_user_pids "$TEST_USER"
  fi
  log "cluster '$CLUSTER' up: node $HOST $(node_state), slurmrestd unix:$REST_SOCK + $REST_URL (${SECONDS}s)"
}

cmd_status() {
  local ok=0 s ctld=0
  # (only query through slurmctld when it is up: otherwise sinfo/scontrol token block ~10s each)
  if pid_of "$CTLD_PID" slurmctld >/dev/null && ctld_ok; then
    echo "slurmctld: up"; ctld=1
  else
    echo "slurmctld: DOWN"; ok=1
  fi
  if pid_of "$SLURMD_PID" slurmd >/dev/null; then echo "slurmd: up"; else echo "slurmd: DOWN"; ok=1; fi
  if ((ctld)); then
    s=$(node_state || true)
    if node_ok; then echo "node $HOST: $s"; else echo "node $HOST: ${s:-unknown} (not usable)"; ok=1; fi
    if rest_unix_ok; then echo "slurmrestd unix:$REST_SOCK: up"; else echo "slurmrestd unix:$REST_SOCK: DOWN"; ok=1; fi
    if rest_jwt_ok; then echo "slurmrestd $REST_URL: up"; else echo "slurmrestd $REST_URL: DOWN"; ok=1; fi
    if [[ -n $TEST_USER ]]; then
      if rest_user_ok; then echo "slurmrestd unix:$REST_USER_SOCK (as $TEST_USER): up"
      else echo "slurmrestd unix:$REST_USER_SOCK (as $TEST_USER): DOWN"; ok=1; fi
    fi
  else
    echo "node $HOST: unknown"
    local n
    for n in unix jwt; do
      if [[ -n $(rest_${n}_pids) ]]; then echo "slurmrestd ($n): running, unusable"; else echo "slurmrestd ($n): DOWN"; fi
    done
  fi
  if ((ok == 0)); then echo "cluster: up"; else echo "cluster: DOWN"; fi
  return $ok
}

cmd_env() {
  cat <<EOF
export S9S_TEST_SLURM=1
export S9S_TEST_SLURMRESTD_SOCKET=$REST_SOCK
export S9S_TEST_SLURMRESTD_URL=$REST_URL
export S9S_TEST_SLURMRESTD_API=$API_VER
export S9S_TEST_SLURM_PARTITION=debug
export S9S_TEST_SLURM_NODE=$HOST
EOF
  if [[ -n $TEST_USER ]]; then
    echo "export S9S_TEST_SLURM_USER=$TEST_USER"
    echo "export S9S_TEST_SLURMRESTD_USER_SOCKET=$REST_USER_SOCK"
  fi
}

# env/status without S9S_SLURM_TEST_USER: pick up a per-user instance started earlier
detect_test_user() {
  [[ -z $TEST_USER ]] || return 0
  local f
  for f in "$REST_SOCK_DIR"/slurmrestd-*.sock; do
    [[ -S $f ]] || continue
    TEST_USER=${f##*/slurmrestd-}
    TEST_USER=${TEST_USER%.sock}
    REST_USER_SOCK=$f
    return 0
  done
  return 0
}

case ${1:-} in
  start) cmd_start ;;
  stop) need_root; stop_all; log "stopped slurmrestd, slurmd, slurmctld" ;;
  restart) need_root; stop_all; cmd_start ;;
  status) detect_test_user; cmd_status ;;
  env) detect_test_user; cmd_env ;;
  logs) show_logs ;;
  *)
    echo "usage: $0 {start|stop|restart|status|env|logs}" >&2
    exit 2
    ;;
esac

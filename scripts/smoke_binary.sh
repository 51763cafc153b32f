#!/usr/bin/env bash
# Smoke test of a compiled s9s binary the way a login node runs it: as an unprivileged user, with
# no network, no terminfo on the host, an empty HOME and a PATH without deno or npm.
#
#   bash scripts/smoke_binary.sh dist/s9s-linux-x86_64
#
# Needs root or passwordless sudo (for a private mount and network namespace: the host's terminfo
# folders are covered with an empty one), tmux and util-linux (unshare, setpriv). Checks:
# `--version`; `stream --mock --job 1001 --no-follow`; `stream --path FILE --no-follow`; the TUI
# on the mock cluster opens in tmux and `q` quits it with exit code 0.
# S9S_SMOKE_USER: the user to run as (default: the caller; "nobody" when the caller is root).
set -euo pipefail

TERMINFO_DIRS_ON_HOST=(/etc/terminfo /lib/terminfo /usr/lib/terminfo /usr/share/terminfo)

# Inside the namespaces (see `isolated`): hide terminfo, drop root, clear the environment.
if [ "${1:-}" = "__inner" ]; then
  shift
  user=$1 work=$2
  shift 2
  for d in "${TERMINFO_DIRS_ON_HOST[@]}"; do
    [ -d "$d" ] && mount --bind "$work/empty" "$d"
  done
  exec setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups \
    env -i HOME="$work/home" PATH="$work/empty" TERM=xterm-256color LANG=C.UTF-8 "$@"
fi

[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
BIN=$(realpath "$1")
SELF=$(realpath "$0")
ROOT=$(cd "$(dirname "$SELF")/.." && pwd)
VERSION=$(sed -n 's/^export const VERSION = "\(.*\)";$/\1/p' "$ROOT/src/version.ts")
if [ "$(id -u)" = 0 ]; then SUDO=(); USER_=${S9S_SMOKE_USER:-nobody}; else SUDO=(sudo); USER_=${S9S_SMOKE_USER:-$(id -un)}; fi

work=$(mktemp -d)
sock=$work/tmux.sock
cleanup() {
  tmux -S "$sock" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/empty" "$work/home"
chmod 755 "$work" "$work/empty"
chown "$USER_" "$work/home" 2>/dev/null || "${SUDO[@]}" chown "$USER_" "$work/home"

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
ok() { echo "smoke: ok: $*"; }

# Run "$@" as $USER_ in fresh mount and network namespaces without terminfo.
isolated() {
  "${SUDO[@]}" unshare --mount --net --propagation private -- bash "$SELF" __inner "$USER_" "$work" "$@"
}

# The namespace itself: no network, no terminfo, not root.
probe=$(isolated "$BASH" -c 'PATH=/usr/bin:/bin; id -u; ls -A /usr/share/terminfo | wc -l; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " "' 2>&1) ||
  fail "could not enter the test namespace: $probe"
read -r uid entries <<<"$(echo "$probe" | head -2 | tr '\n' ' ')"
nets=$(echo "$probe" | tail -1)
[ "$uid" != 0 ] && [ "$entries" = 0 ] && [ "$nets" = "lo " ] || fail "namespace not isolated: $probe"
ok "running as $USER_ (uid $uid), no terminfo on the host, no network (only lo, down)"

out=$(isolated "$BIN" --version 2>&1) || fail "--version exited $?: $out"
grep -qF "$VERSION" <<<"$out" || fail "--version does not name $VERSION: $out"
ok "--version: $(head -1 <<<"$out")"

out=$(isolated "$BIN" stream --mock --job 1001 --no-follow 2>&1) ||
  fail "stream --mock --job 1001 --no-follow exited $?: $out"
grep -q "1001" <<<"$out" || fail "stream --mock --job 1001 said nothing about job 1001: $out"
ok "stream --mock --job 1001 --no-follow"

printf 'first line\nsecond line\n' >"$work/job.log"
chmod 644 "$work/job.log"
out=$(isolated "$BIN" stream --path "$work/job.log" --no-follow -q 2>&1) ||
  fail "stream --path exited $?: $out"
[ "$out" = $'first line\nsecond line' ] || fail "stream --path printed: $out"
ok "stream --path FILE --no-follow"

# The TUI: tmux runs outside (it needs terminfo itself); s9s runs isolated in its pane.
printf -v cmd '%q ' "${SUDO[@]}" unshare --mount --net --propagation private -- bash "$SELF" \
  __inner "$USER_" "$work" "$BIN" --mock
tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 36 \
  "$cmd 2>$work/tui.err; echo S9S_EXITED code=\$?; sleep 60"
wait_for() { # wait_for TEXT SECONDS
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    tmux -S "$sock" capture-pane -p | grep -qF "$1" && return 0
    sleep 0.2
  done
  fail "the TUI did not show \"$1\" within $2 s; screen:
$(tmux -S "$sock" capture-pane -p)
stderr: $(cat "$work/tui.err" 2>/dev/null)"
}
wait_for "train_model" 30
ok "TUI opened (jobs view on the mock cluster)"
tmux -S "$sock" send-keys q
wait_for "S9S_EXITED code=0" 15
ok "TUI quit with q, exit code 0"
echo "smoke: all passed for $BIN"

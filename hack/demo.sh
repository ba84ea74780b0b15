#!/usr/bin/env bash
# The whole system on this machine, on loopback: `make demo`, `make demo-down`,
# `make demo-status`. Usage: hack/demo.sh up|down|status|pids
#
# `up` builds the binaries into .demo/bin and starts the demo program (test/demo)
# in its own session. That program starts three control planes, Dex, the
# Supervisor and two Concierges (the same artifacts/ manifests as a real install,
# with processes instead of Deployments), writes kubeconfigs into .demo/ and owns
# every process until it gets SIGTERM; its children die with it. `up` waits for its
# ready marker and prints what to try. `down` stops it, kills by PID whatever it
# started that is somehow still alive, and removes .demo/. `pids` prints the PIDs of
# the demo program and all its descendants, one "pid starttime" a line (for CI).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
demo="$root/.demo"
program="$demo/bin/demo"
pidfile="$demo/demo.pid"
# How long `up` waits for the demo to be ready, and `down` for it to stop.
up_timeout=${PINNIPED_DEMO_UP_TIMEOUT:-300}
down_timeout=60

# start_time prints a process's start time (field 22 of /proc/<pid>/stat), which
# with the PID names the process even if the PID is later reused.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  echo "$stat" | awk '{print $20}'
}

# demo_pid prints the PID of the running demo program, or fails.
demo_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  read -r pid _ <"$pidfile"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  # The PID must still be the demo program, not a process that reused it.
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == "$program "* ]] || return 1
  echo "$pid"
}

# descendants prints "pid starttime" for pid and every process below it.
descendants() {
  local pid=$1 child started
  started=$(start_time "$pid") || return 0
  echo "$pid $started"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    descendants "$child"
  done
}

cmd_pids() {
  local pid
  pid=$(demo_pid) || { echo "the demo is not running" >&2; return 1; }
  descendants "$pid"
}

cmd_status() {
  local pid
  if pid=$(demo_pid); then
    if [ -f "$demo/ready" ]; then
      echo "The demo is up (pid $pid)."
      echo
      cat "$demo/ready"
    else
      echo "The demo is starting (pid $pid); its log is .demo/demo.log."
    fi
    return 0
  fi
  if [ -d "$demo" ]; then
    echo "The demo is not running, but .demo/ is left over; \`make demo-down\` removes it."
    [ -f "$demo/failed" ] && { echo "It failed to start:"; cat "$demo/failed"; }
  else
    echo "The demo is not running."
  fi
  return 1
}

cmd_up() {
  local pid
  if pid=$(demo_pid); then
    if [ -f "$demo/ready" ]; then
      echo "The demo is already up (pid $pid); nothing changed."
      echo
      cat "$demo/ready"
      return 0
    fi
    echo "The demo is already starting (pid $pid); see .demo/demo.log, or \`make demo-down\`." >&2
    return 1
  fi
  if [ -d "$demo" ]; then
    echo "Removing a stopped demo's .demo/"
    cmd_down >/dev/null
  fi

  SECONDS=0
  make --no-print-directory tools
  echo "Building the demo's binaries into .demo/bin"
  mkdir -p "$demo/bin"
  go build -o "$demo/bin/" ./cmd/pinniped ./cmd/pinniped-supervisor ./cmd/pinniped-concierge ./test/demo

  echo "Starting the demo (its log: .demo/demo.log)"
  # A session of its own, so that neither the terminal's ^C nor the end of make
  # reaches it; it lives until `make demo-down`.
  setsid "$program" --dir "$demo" >"$demo/demo.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid $(start_time "$pid")" >"$pidfile"

  local waited=0
  until [ -f "$demo/ready" ]; do
    if [ -f "$demo/failed" ] || ! kill -0 "$pid" 2>/dev/null; then
      # It has stopped what it started; give it a moment to exit.
      for _ in $(seq 10); do kill -0 "$pid" 2>/dev/null && sleep 1; done
      echo "The demo failed to start:" >&2
      cat "$demo/failed" >&2 2>/dev/null || tail -n 30 "$demo/demo.log" >&2
      echo "Logs are under .demo/; \`make demo-down\` cleans up." >&2
      return 1
    fi
    if [ "$waited" -ge "$up_timeout" ]; then
      echo "The demo was not ready after ${up_timeout}s; see .demo/demo.log, then \`make demo-down\`." >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "Ready in ${SECONDS}s."
  echo
  cat "$demo/ready"
}

cmd_down() {
  local pid procs
  if [ ! -d "$demo" ]; then
    echo "The demo is not running."
    return 0
  fi
  if pid=$(demo_pid); then
    # Recorded first: once the program exits, its children are no longer below it.
    procs=$(descendants "$pid")
    echo "Stopping the demo (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$down_timeout" ]; do
      sleep 1
      waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    # The program stops its children in order, and they die with it anyway; this
    # only catches a process that survived both.
    local p started
    while read -r p started; do
      if [ "$(start_time "$p" 2>/dev/null)" = "$started" ]; then
        echo "Killing leftover process $p"
        kill -KILL "$p" 2>/dev/null || true
      fi
    done <<<"$procs"
  fi
  rm -rf "$demo"
  echo "The demo is down; .demo/ is removed."
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
pids) cmd_pids ;;
*)
  echo "usage: $0 up|down|status|pids" >&2
  exit 2
  ;;
esac

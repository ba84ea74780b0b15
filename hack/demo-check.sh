#!/usr/bin/env bash
# CI check of the demo: `make demo`, the README's three logins with plain kubectl,
# `make demo` again (which must change nothing), then `make demo-down`, which must
# leave no process of the demo alive and no .demo/ behind.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pids=$(mktemp)
trap 'rm -f "$pids"' EXIT

if [ -e .demo ]; then
  echo "demo-check: .demo/ exists; run \`make demo-down\` first" >&2
  exit 1
fi

failed=0
fail() {
  echo "demo-check: FAIL: $*" >&2
  failed=1
}

# started_at prints a process's start time, which with its PID names it.
started_at() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  echo "$stat" | awk '{print $20}'
}

# can_i <user> <workload> <verb> <resource> <expected answer>
can_i() {
  local user=$1 workload=$2 verb=$3 resource=$4 want=$5 var got
  var=$(echo "$user" | tr '[:lower:]' '[:upper:]')
  local username_var="DEMO_${var}_USERNAME" password_var="DEMO_${var}_PASSWORD"
  # `auth can-i` exits 1 when the answer is no, so only its output is compared.
  got=$(XDG_CONFIG_HOME="$root/.demo/home/$user" PINNIPED_UPSTREAM_IDENTITY_PROVIDER_FLOW=cli_password \
    PINNIPED_USERNAME="${!username_var}" PINNIPED_PASSWORD="${!password_var}" \
    bin/kubectl --kubeconfig ".demo/$workload.kubeconfig" auth can-i "$verb" "$resource" 2>/dev/null) || true
  echo "$user on $workload: can-i $verb $resource: $got"
  [ "$got" = "$want" ] || fail "$user on $workload: can-i $verb $resource: want $want, got '$got'"
}

SECONDS=0
if make --no-print-directory demo; then
  echo "demo-check: make demo took ${SECONDS}s"
  # Recorded before anything is stopped: once the demo exits, its children are
  # no longer found below it.
  hack/demo.sh pids >"$pids"
  echo "demo-check: the demo runs $(wc -l <"$pids") processes"
  # shellcheck source=/dev/null
  source .demo/users.env
  can_i bob workload1 create namespace no
  can_i alice workload1 create namespace yes
  can_i bob workload2 get pods yes

  first=$(head -n 1 "$pids")
  again=$(make --no-print-directory demo)
  grep -q "already up" <<<"$again" || fail "a second make demo did not say the demo is already up"
  [ "$(hack/demo.sh pids | head -n 1)" = "$first" ] || fail "a second make demo changed the demo process"
else
  fail "make demo"
  cat .demo/demo.log 2>/dev/null | tail -n 40 >&2 || true
  # A demo that failed half way may still run; record what there is to check.
  hack/demo.sh pids >"$pids" 2>/dev/null || true
fi

make --no-print-directory demo-down
while read -r pid started; do
  [ -n "$pid" ] || continue
  if [ "$(started_at "$pid" 2>/dev/null)" = "$started" ]; then
    fail "process $pid is still alive after make demo-down: $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-120)"
  fi
done <"$pids"
[ ! -e .demo ] || fail ".demo/ is still there after make demo-down"

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "demo-check: passed in ${SECONDS}s"

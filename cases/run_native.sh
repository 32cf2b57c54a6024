#!/usr/bin/env bash
# run_native.sh: runs one case natively and checks its "lockstep-native" verdict.
# Usage: run_native.sh <case binary> <pass|fail|hang|any>
# The case runs under `timeout -s KILL 3`, so a deadlocked case can never wedge ctest
# (a killed case exits 137).
#   pass: must exit 0            fail: must exit non-zero, and not by the timeout
#   hang: must be killed by the timeout (137)
#   any:  timing-dependent; any exit status is accepted, including the timeout's
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 <case binary> <pass|fail|hang|any>" >&2
    exit 2
fi
bin=$1
verdict=$2
timeout -s KILL 3 "$bin"
rc=$?

case $verdict in
pass) ok=$([ "$rc" -eq 0 ] && echo 1 || echo 0) ;;
fail) ok=$([ "$rc" -ne 0 ] && [ "$rc" -ne 137 ] && echo 1 || echo 0) ;;
hang) ok=$([ "$rc" -eq 137 ] && echo 1 || echo 0) ;;
any) ok=1 ;;
*)
    echo "run_native: unknown verdict '$verdict'" >&2
    exit 2
    ;;
esac

what="exited $rc"
[ "$rc" -eq 137 ] && what="killed by the 3 s timeout (137)"
if [ "$ok" = 1 ]; then
    echo "run_native: $(basename "$bin") $what: matches lockstep-native: $verdict"
    exit 0
fi
echo "run_native: $(basename "$bin") $what: does NOT match lockstep-native: $verdict" >&2
exit 1

#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it first installs what the tests need:
# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser), espeak-ng,
# the text-to-speech engine the workflow tests speak with, and PostgreSQL and Redis for the several-host tests
# (the tests start their own private servers on 127.0.0.1 from these binaries; the packages' own services are not used).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing system packages for the tests: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Formatting and code style as .editorconfig says (the build enforces the analyzers; this adds layout).
dotnet restore DograhConsole.sln >/dev/null
dotnet format DograhConsole.sln --verify-no-changes --no-restore

# The servers are installed now: a test that needs them runs (and fails if it cannot start them) rather than skipping.
export DOGRAH_TESTS_REQUIRE_SERVERS=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test DograhConsole.sln -c Release "$@" 2>&1 | tee "$log" || status=$?

# One plain summary line over every test assembly, for readers that do not parse dotnet test's own.
summary=$(awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log")
echo "$summary"
ran=$(echo "$summary" | awk '{ print $2 + $4 }')
# A run that executed no test (a crashed host, an interrupted run) is a failure, not a pass.
if [ "$status" -eq 0 ] && [ "${ran:-0}" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
exit $status

#!/usr/bin/env bash
# Runs every test project and ends with the totals on a line of their own: "N passed, N failed"
# (skipped tests, if any, are counted on the line before).
set -uo pipefail
cd "$(dirname "$0")"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The browser tests drive Debian's chromium, the scale-out tests start redis-server and the
# JavaScript client is built and tested with Node.js and npm.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing packages (run as root, or: sudo apt-get install ${need[*]})" >&2
  fi
fi
log=$(mktemp)
dotnet test Fleck.Chat.sln --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# The JavaScript client (clients/js): installed from its lock file, built, tested against the built
# host. The page asset static/fleck-chat.min.js must be exactly what the build produces.
js_log=$(mktemp)
(
  set -e
  dotnet build Chat.Host -c Debug -v q -nologo
  cd clients/js
  npm ci --no-audit --no-fund
  npm run build
  if ! cmp -s dist/fleck-chat.min.js ../../static/fleck-chat.min.js; then
    echo "static/fleck-chat.min.js differs from the build: cp clients/js/dist/fleck-chat.min.js static/" >&2
    exit 1
  fi
  npm test
) 2>&1 | tee "$js_log"
js_rc=${PIPESTATUS[0]}
# node:test's TAP summary: "# pass N" / "# fail N".
read -r js_pass js_fail < <(awk '/^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 } END { print p + 0, f + 0 }' "$js_log")
rm -f "$js_log"
if [ "$js_rc" -ne 0 ] && [ "$js_fail" -eq 0 ]; then js_fail=1; fi

awk -v rc="$rc" -v jp="$js_pass" -v jf="$js_fail" '/^(Passed|Failed)! +- / { for (i = 1; i < NF; i++) { v = $(i + 1); gsub(",", "", v);
    if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v } }
  END { if (rc != 0 && f == 0) f = 1; p += jp; f += jf; if (s > 0) printf "%d skipped\n", s; printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
if [ "$rc" -eq 0 ] && [ "$js_rc" -ne 0 ]; then rc=$js_rc; fi
exit "$rc"

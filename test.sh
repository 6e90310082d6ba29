#!/usr/bin/env bash
# Runs every test project and ends with the totals on a line of their own: "N passed, N failed"
# (skipped tests, if any, are counted on the line before).
set -uo pipefail
cd "$(dirname "$0")"
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The browser tests drive Debian's chromium and the scale-out tests start redis-server.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
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
awk -v rc="$rc" '/^(Passed|Failed)! +- / { for (i = 1; i < NF; i++) { v = $(i + 1); gsub(",", "", v);
    if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v } }
  END { if (rc != 0 && f == 0) f = 1; if (s > 0) printf "%d skipped\n", s; printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$rc"

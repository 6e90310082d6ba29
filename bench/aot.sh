#!/usr/bin/env bash
# The native (AOT) host beside the JIT one, measured in the same run: publish time, binary size,
# time from process start to the first accepted WebSocket, RSS idle and per idle connection, and
# broadcast fanout deliveries/s. Then the host's process tests run against the native binary.
#   bench/aot.sh                 everything (the publish alone takes minutes)
#   SKIP_TESTS=1 bench/aot.sh    measurements only
#   SKIP_PUBLISH=1 bench/aot.sh  reuse bench/aot-out from an earlier publish
#   REPS=1 bench/aot.sh          one pair of runs instead of two
# Opt-in rather than part of .ci/run: the native publish is too slow for every run.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
ulimit -n "$(ulimit -Hn)"
# As many WebSockets as the descriptor limit holds beside a few page connections (the host refuses a
# --max-connections that cannot fit); the idle group's largest run is 19,000 connections.
max_connections=$(( $(ulimit -n) - 512 )); [ $max_connections -gt 30000 ] && max_connections=30000
native=bench/aot-out/Chat.Host

dotnet build -c Release Chat.Host >/dev/null
dotnet build -c Release bench/Chat.Bench >/dev/null
if [ -z "${SKIP_PUBLISH:-}" ]; then
  started=$(date +%s)
  dotnet publish Chat.Host -c Release -r linux-x64 -p:PublishAot=true -o bench/aot-out >bench/aot-publish.log 2>&1 || { tail -20 bench/aot-publish.log; exit 1; }
  echo "publish: $(( $(date +%s) - started )) s, $(grep -c 'warning' bench/aot-publish.log) warning lines"
fi
echo "native binary: $(stat -c %s $native) bytes; JIT build: $(du -cb Chat.Host/bin/Release/net10.0/*.dll | tail -1 | cut -f1) bytes of assemblies (plus the shared runtime)"
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Chat.Bench/bin/Release/net10.0/Chat.Bench.dll"

port=9500
run() { # kind -> one line of figures
  local kind=$1 cmd
  port=$((port + 2))
  if [ "$kind" = aot ]; then cmd=("$native"); else cmd=(dotnet Chat.Host/bin/Release/net10.0/Chat.Host.dll); fi
  read -r ms pid < <(taskset -c 0 bench/first_connection.py $port -- "${cmd[@]}" --mode broadcast --host 127.0.0.1 --port $port \
    --http-port $((port + 1)) --rate 0 --history 0 --max-connections $max_connections --max-page-connections 64 --max-connections-per-address 0 --max-handshakes-per-address 0 --handshake-rate-per-address 0 --log-level Warning)
  sleep 1
  local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  local target=(--target "ws://127.0.0.1:$port/websocket" --server-pid "$pid")
  local idle fanout
  idle=$(taskset -c 1 $bench "${target[@]}" --scenario idle --clients 2000 --label "$kind" | grep '^RESULT ')
  # The same warm-up as bench/run.sh, so the JIT build is measured at its optimized tier too.
  taskset -c 1 $bench "${target[@]}" --scenario fanout --clients 1000 --senders 10 --messages 1000 --label warmup >/dev/null
  fanout=$(taskset -c 1 $bench "${target[@]}" --scenario fanout --clients 1000 --senders 10 --messages 500 --bytes 64 --label "$kind" | grep '^RESULT ')
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
  echo "$kind: first connection ${ms} ms, idle RSS $((rss / 1024)) MiB"
  echo "  $idle"
  echo "  $fanout"
}
for rep in $(seq "${REPS:-2}"); do run jit; run aot; done

# Every test that starts the host as a process (TLS from a certificate file, the API, /metrics,
# the conformance probe, and with --redis the two-host and backplane-metrics tests) runs the native
# binary. Run this script from a terminal, not as a background job of another script: such a job
# inherits SIGINT ignored, and the SIGINT case of HostLifecycleTests then fails for either build.
if [ -z "${SKIP_TESTS:-}" ]; then
  export FLECK_CHAT_HOST_BINARY="$PWD/$native"
  dotnet test Chat.Tests --filter "FullyQualifiedName~Fleck.Chat.Tests.Host.|FullyQualifiedName~IdentityHostTests|FullyQualifiedName~RoomsHostTests|FullyQualifiedName~HostConformance"
  dotnet test Chat.Redis.Tests --filter "FullyQualifiedName~Processes"
fi

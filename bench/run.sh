#!/usr/bin/env bash
# Runs every scenario against the Kestrel baseline and against Fleck.Chat, in turn, with the
# server pinned to CPU 0 and the load generator to CPU 1, and prints ratios ours/baseline.
#   bench/run.sh            full run, 2 repetitions (half an hour or more on a shared 2-core machine)
#   bench/run.sh --quick    smaller loads, 1 repetition (about 15 minutes: fanout group 7, idle 5.5)
#   REPS=3 bench/run.sh     more repetitions
#   ONLY="idle stalled" bench/run.sh   some groups only: fanout (with steady, nick, nick with --store, rooms,
#                                      one room of 1,000, nick with reconnects and cross-node), idle (warmed and fresh), stalled,
#                                      store (nick-broadcast with and without --store only; KINDS=ours)
#   KINDS=ours bench/run.sh   our host only, without the baseline
#   SCRAPE=1 bench/run.sh   our host's /metrics is fetched every second while it serves
#   ONLY="fanout scrape" bench/run.sh   also the broadcast fanout with /metrics fetched every second, paired with the plain one
#   ONLY=ids bench/run.sh   nick-broadcast's fanout with and without an id on every message (each send acked and
#                           deduplicated), paired; with redis-server, the same pair through two nodes (KINDS=ours)
# With redis-server installed, each repetition also runs the fanout through two nodes sharing one
# Redis (both nodes and Redis on CPU 0), beside the single node of the same repetition.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
quick=0; [ "${1:-}" = "--quick" ] && quick=1
reps=${REPS:-$([ $quick = 1 ] && echo 1 || echo 2)}
ulimit -n "$(ulimit -Hn)"
# As many WebSockets as the descriptor limit holds beside a few page connections (the host refuses a
# --max-connections that cannot fit); the idle group's largest run is 19,000 connections.
max_connections=$(( $(ulimit -n) - 512 )); [ $max_connections -gt 30000 ] && max_connections=30000

dotnet build -c Release Chat.Host >/dev/null
dotnet build -c Release bench/Chat.Baseline >/dev/null
dotnet build -c Release bench/Chat.Bench >/dev/null
# The generator completes socket operations on the thread that polls them instead of queueing each to the
# thread pool: on its one core that is the difference between measuring the server and measuring itself.
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Chat.Bench/bin/Release/net10.0/Chat.Bench.dll"
mkdir -p bench/results
out="bench/results/$(date +%Y%m%d-%H%M%S).jsonl"
port=9300

wait_for() { # log pattern pid
  for _ in $(seq 100); do grep -qE "$2" "$1" && return 0; sleep 0.1; done
  cat "$1"; kill "$3"; exit 1
}
start_server() { # kind mode [redis endpoint] -> sets pid, url; a second call with a redis endpoint adds a node
  port=$((port + 2))
  local log; log=$(mktemp)
  if [ "$1" = baseline ]; then
    taskset -c 0 dotnet bench/Chat.Baseline/bin/Release/net10.0/Chat.Baseline.dll --host 127.0.0.1 --port $port >"$log" 2>&1 &
  else
    taskset -c 0 dotnet Chat.Host/bin/Release/net10.0/Chat.Host.dll --mode "$2" --host 127.0.0.1 --port $port \
      --http-port $((port + 1)) --rate 0 --history "${HISTORY:-0}" --retain "$(( ${HISTORY:-0} > 1000 ? ${HISTORY:-0} : 1000 ))" --max-connections $max_connections --max-page-connections 64 --max-connections-per-address 0 --max-handshakes-per-address 0 --handshake-rate-per-address 0 --log-level Warning ${3:+--redis "$3"} \
      ${STORE:+--store "$STORE"} >"$log" 2>&1 &
  fi
  local p=$!
  wait_for "$log" "listening|open http" $p
  if [ -n "${SCRAPE:-}" ] && [ "$1" != baseline ]; then
    local metrics="http://127.0.0.1:$((port + 1))/metrics"
    (while kill -0 $p 2>/dev/null; do curl -s -o /dev/null "$metrics"; sleep 1; done) &
    scrapers="$scrapers $!"
  fi
  if [ -n "${3:-}" ] && [ -n "$pid" ]; then
    pid="$pid,$p"; targets+=(--target "ws://127.0.0.1:$port/websocket"); health=()
  else
    pid=$p; targets=(--target "ws://127.0.0.1:$port/websocket")
    # Our host reports its GC counts and allocations at /healthz; the baseline has no such page.
    if [ "$1" = baseline ]; then health=(); else health=(--health "http://127.0.0.1:$((port + 1))/healthz"); fi
  fi
}
stop_server() {
  for p in ${pid//,/ } $scrapers; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pid=""; scrapers=""
}
start_redis() { # -> sets redis_pid, redis_at
  port=$((port + 2))
  local log; log=$(mktemp)
  taskset -c 0 redis-server --port $port --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$log" 2>&1 &
  redis_pid=$!; redis_at="127.0.0.1:$port"
  wait_for "$log" "Ready to accept connections" $redis_pid
}
pid=""; redis_pid=""; scrapers=""; targets=(); health=()
trap 'for p in ${pid//,/ } $redis_pid; do kill -KILL "$p" 2>/dev/null; done' EXIT
server_pids() { echo "$pid${redis_pid:+,$redis_pid}"; }
gen() { taskset -c 1 $bench "${targets[@]}" "${health[@]}" --server-pid "$(server_pids)" "$@" | tee -a /dev/stderr | grep '^RESULT ' | sed 's/^RESULT //' >>"$out"; }
warm_idle() { taskset -c 1 $bench "${targets[@]}" --server-pid "$(server_pids)" --scenario idle --clients 500 --label warmup >/dev/null; }
# 30M deliveries. After 10M, the runtime was still replacing code with its final optimized
# versions during the measured run (tiering waits while other code is still being compiled, and
# the compiler shares the saturated core): four 20M-delivery runs in a row on one nick-broadcast
# host after a 10M warm-up measured 0.238, 0.222, 0.175, 0.195 µs per delivery, and 0.327, 0.222,
# 0.191, 0.241 on another, so the first measured run of a fresh host was partly a warm-up still.
# Then a pause, a second short pass and another pause. On a process pinned to one core the runtime
# starts counting a method's calls (30, then it is compiled optimized) only after a full second
# without compiling anything new (100 ms times 10 on one processor), and under a saturating load
# that second did not come: the host's perf map still had nick-broadcast's message path
# (ChatEvents.Frame, the event's constructor) unoptimized after the 30M pass, and it was compiled
# during the measured run. The first pause lets the counting start, the second pass takes the hot
# methods past their count, the last pause lets the background compiler finish.
settle_tiering() { sleep 2; taskset -c 1 $bench "${targets[@]}" --server-pid "$(server_pids)" "$@" --label warmup >/dev/null; sleep 2; }
warm() {
  taskset -c 1 $bench "${targets[@]}" --server-pid "$(server_pids)" --scenario fanout --clients 1000 --senders 10 --messages 3000 --label warmup "$@" >/dev/null
  settle_tiering --scenario fanout --clients 1000 --senders 10 --messages 300 "$@"
}
# The one room of 1,000 is warmed like the fanout it is compared with, on its own path.
warm_room1() {
  taskset -c 1 $bench "${targets[@]}" --server-pid "$(server_pids)" --scenario rooms --rooms 1 --clients 1000 --senders 10 --messages 3000 --label warmup >/dev/null
  settle_tiering --scenario rooms --rooms 1 --clients 1000 --senders 10 --messages 300
}
warm_rooms() {
  taskset -c 1 $bench "${targets[@]}" --server-pid "$(server_pids)" --scenario rooms --rooms 100 --clients 1000 --senders 1000 --messages 200 --label warmup >/dev/null
  settle_tiering --scenario rooms --rooms 100 --clients 1000 --senders 1000 --messages 20
}

# nick-broadcast, then the same with the streams in a SQLite file (--store) and 50 messages kept:
# every message numbered, kept and written behind. A fresh file per repetition.
nick_and_store() {
  start_server ours nick-broadcast; warm --nick
  gen --label ours-nick --nick --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
  stop_server
  local store_dir; store_dir=$(mktemp -d)
  STORE="$store_dir/chat.db" HISTORY=50 start_server ours nick-broadcast; warm --nick
  gen --label ours-nick-store --nick --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
  stop_server; rm -rf "$store_dir"
}

if [ $quick = 1 ]; then M1=500; M2=3000; IDLE="2000 5000"; DUR=5; STALL=5000; else M1=2000; M2=10000; IDLE="5000 19000"; DUR=10; STALL=20000; fi

ONLY=${ONLY:-fanout idle stalled}
want() { [[ " $ONLY " == *" $1 "* ]]; }

for rep in $(seq "$reps"); do
  for kind in ${KINDS:-baseline ours}; do
    echo "== repetition $rep: $kind" >&2
    if want fanout; then
      start_server $kind broadcast; warm
      gen --label $kind --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
      gen --label $kind --scenario fanout --clients 100 --senders 10 --messages $M2 --bytes 64
      gen --label $kind --scenario steady --clients 1000 --senders 10 --rate 50000 --duration $DUR --bytes 64
      stop_server
      if [ $kind = ours ]; then
        # Right after the broadcast fanout it is compared with, so both see the same machine.
        nick_and_store
        # Rooms beside it: 1,000 clients in 100 rooms of 10; 10% of them writing, then everybody.
        # Sized for about a quarter of the broadcast fanout's deliveries each.
        start_server ours rooms; warm_rooms
        gen --label ours-rooms --scenario rooms --rooms 100 --clients 1000 --senders 100 --messages $((M1 * 5 / 2)) --bytes 64
        gen --label ours-rooms-all --scenario rooms --rooms 100 --clients 1000 --senders 1000 --messages $((M1 / 4)) --bytes 64
        stop_server
        # All 1,000 in one room, 10 writing, the broadcast fanout's count: each message shared by
        # 1,000 deliveries as a broadcast's is, so the two compare directly.
        start_server ours rooms; warm_room1
        gen --label ours-room1 --scenario rooms --rooms 1 --clients 1000 --senders 10 --messages $M1 --bytes 64
        stop_server
        # nick-broadcast keeping 5,000 messages while 100 receivers each drop and resume once
        # (?since=&epoch=); every client must still get every message once, in order. A resume takes
        # up to a second or two on a loaded machine, 1,000 messages or more at this rate: the history
        # must outlast it, or the client is told "recovered":false and the run counts the gap as lost.
        HISTORY=5000 start_server ours nick-broadcast; warm --nick
        gen --label ours-recovery --scenario recovery --clients 1000 --senders 10 --messages $M1 --reconnects 100 --bytes 64
        stop_server
        if command -v redis-server >/dev/null; then
          start_redis; start_server ours broadcast "$redis_at"; start_server ours broadcast "$redis_at"; warm
          gen --label ours-2nodes --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
          stop_server; kill -TERM "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""
        fi
      fi
    fi
    # The store's cost alone (ONLY=store): the nick-broadcast pair of the fanout group, without the rest.
    if want store && ! want fanout && [ $kind = ours ]; then
      nick_and_store
    fi
    # The ids' cost: nick-broadcast's fanout, then the same with an id on every message (acked,
    # deduplicated), each on a fresh host; then the pair through two nodes on one Redis.
    if want ids && [ $kind = ours ]; then
      start_server ours nick-broadcast; warm --nick
      gen --label ours-nick --nick --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
      stop_server
      start_server ours nick-broadcast; warm --ids
      gen --label ours-nick-ids --ids --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
      stop_server
      if command -v redis-server >/dev/null; then
        for variant in nick ids; do
          start_redis; start_server ours nick-broadcast "$redis_at"; start_server ours nick-broadcast "$redis_at"; warm --$variant
          gen --label ours-2nodes-$variant --$variant --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
          stop_server; kill -TERM "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=""
        done
      fi
    fi
    # The meter's cost: the same fanout again with /metrics fetched every second, right after the
    # plain one of this repetition (ONLY="fanout scrape"; paired in the summary).
    if want scrape && [ $kind = ours ] && want fanout; then
      SCRAPE=1 start_server ours broadcast; warm
      gen --label ours-scraped --scenario fanout --clients 1000 --senders 10 --messages $M1 --bytes 64
      stop_server
    fi
    # A fresh server per idle run, warmed by 500 handshakes (not a fanout, whose heap would flatter the memory figure);
    # then again on a fresh server without any warm-up ($kind-fresh): what the first N connections cost.
    if want idle; then
      for n in $IDLE; do start_server $kind broadcast; warm_idle; gen --label $kind --scenario idle --clients "$n"; stop_server; done
      for n in $IDLE; do start_server $kind broadcast; gen --label $kind-fresh --scenario idle --clients "$n"; stop_server; done
    fi
    if want stalled; then
      start_server $kind broadcast; gen --label $kind --scenario stalled --clients 100 --messages $STALL --bytes 1024; stop_server
    fi
  done
done

python3 bench/summarize.py "$out"

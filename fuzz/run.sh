#!/usr/bin/env bash
# Fuzzes one untrusted-input path of Chat.Core with afl-fuzz for a bounded time.
#   fuzz/run.sh <handshake|frames|messages> <seconds>
# Builds fuzz/Chat.Fuzz into fuzz/out/build, instruments the copy of Fleck.Chat.Core.dll there
# (the normal build output is never touched), runs afl-fuzz from fuzz/corpus/<target> on one CPU
# (FUZZ_CPU, default 1), with fuzz/dict/<target>.dict when there is one, and prints afl's counters.
# Findings stay in fuzz/out/<target>/default/.
# Needs afl++ (apt-get install afl++); SharpFuzz.CommandLine comes from fuzz/dotnet-tools.json.
set -euo pipefail
# The whole script is one block, so bash has read all of it before it runs: editing this file while
# a run is in progress cannot change what that run does next.
{
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh <handshake|frames|messages> <seconds>}
seconds=${2:?usage: fuzz/run.sh <handshake|frames|messages> <seconds>}
[ -d "corpus/$target" ] || { echo "no corpus for target '$target'" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

build=out/build
if [ "${FUZZ_REBUILD:-1}" = 1 ] || [ ! -x "$build/Fleck.Chat.Fuzz" ]; then
  rm -rf "$build"
  dotnet tool restore >/dev/null
  dotnet publish Chat.Fuzz -c Release -o "$build" --nologo -v quiet
  dotnet tool run sharpfuzz "$build/Fleck.Chat.Core.dll"
fi

findings=out/$target
rm -rf "$findings"
dict=()
[ -f "dict/$target.dict" ] && dict=(-x "dict/$target.dict")
# The .NET host is not an afl-instrumented binary (SharpFuzz speaks afl's protocol from inside it),
# hence SKIP_BIN_CHECK; the first input also pays for the JIT, hence the generous -t.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "corpus/$target" -o "$findings" -V "$seconds" -b "${FUZZ_CPU:-1}" -t 5000 -m none "${dict[@]}" \
  -- "$build/Fleck.Chat.Fuzz" "$target" > "out/$target.log" 2>&1 || { tail -40 "out/$target.log"; exit 1; }

stats=$findings/default/fuzzer_stats
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "target $target: ran $(stat run_time) s, $(stat execs_done) executions ($(stat execs_per_sec)/s)," \
  "corpus $(stat corpus_count), crashes $(stat saved_crashes), hangs $(stat saved_hangs)"
for f in "$findings"/default/crashes/id* "$findings"/default/hangs/id*; do
  [ -e "$f" ] && echo "  $f"
done
exit 0
}

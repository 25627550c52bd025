#!/usr/bin/env bash
# Fuzzes the tar reader and the ACL dump parser with AFL++ and SharpFuzz for a fixed time.
#   bench/fuzz/fuzz.sh [seconds] [tar|acl|archive ...]      (default: 600 s, tar and acl at once)
# Needs: apt-get install -y afl++; dotnet tool install --global SharpFuzz.CommandLine
# Findings land in bench/fuzz/findings/<target>/default/{crashes,hangs}; replay one with an uninstrumented build:
#   dotnet publish bench/fuzz/ContainerSdk.Fuzz -c Release -o /tmp/plain && dotnet /tmp/plain/ContainerSdk.Fuzz.dll tar FILE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-600}"; shift || true
targets=("${@:-tar acl}"); targets=(${targets[@]})
export PATH="$PATH:$HOME/.dotnet/tools"

# A fresh publish each time: sharpfuzz refuses an assembly it already instrumented.
rm -rf "$here/build"
dotnet publish "$here/ContainerSdk.Fuzz" -c Release -o "$here/build" --nologo -v q
# Instrument only the code under test (tar reader, ACL parser): coverage of the fuzzer, the BCL and the decompressors
# would be noise. An instrumented build only runs under afl-fuzz (elsewhere it faults on AFL's missing shared memory):
# to replay a finding, publish without instrumenting (dotnet publish ... -o /tmp/plain) and run that.
sharpfuzz "$here/build/ContainerSdk.Core.dll" ContainerSdk.Core.Tar ContainerSdk.Core.Acl
python3 "$here/make_seeds.py" "$here/seeds"

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$here/findings/$t"
  # -t: a .NET start is slow, but the fork server amortises it; 5 s per input is a hang.
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$here/seeds/$t" -o "$here/findings/$t" \
    -- dotnet "$here/build/ContainerSdk.Fuzz.dll" "$t" > "$here/findings/$t.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
for t in "${targets[@]}"; do
  s="$here/findings/$t/default/fuzzer_stats"
  [ -f "$s" ] && echo "$t: $(grep -E '^(run_time|execs_done|execs_per_sec|saved_crashes|saved_hangs|corpus_count)' "$s" | tr -s ' ' | tr '\n' ' ')"
done
exit $status

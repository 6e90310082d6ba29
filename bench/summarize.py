#!/usr/bin/env python3
"""Prints the benchmark table: median of the repetitions for each server, and ours/baseline ratios.
Usage: summarize.py results.jsonl [more.jsonl ...] (several runs are pooled as more repetitions)."""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path)]
groups = defaultdict(list)
for r in rows:
    key = (r["scenario"], r.get("clients"), r.get("label"))
    groups[key].append(r)


def med(key, field):
    values = [r[field] for r in groups.get(key, []) if r.get(field) is not None]
    return statistics.median(values) if values else None


def line(name, scenario, clients, field, lower_is_better=False, ours="ours", base="baseline"):
    b = med((scenario, clients, base), field)
    o = med((scenario, clients, ours), field)
    reps = len(groups.get((scenario, clients, ours), []))
    ratio = (o / b) if (o is not None and b) else None
    fmt = lambda v: "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")
    print(f"| {name} | {fmt(b)} | {fmt(o)} | {'-' if ratio is None else f'{ratio:.2f}x'} | {reps} |")


print("| measure (median) | Kestrel baseline | Fleck.Chat | ours / baseline | reps |")
print("|---|---|---|---|---|")
line("fanout 1,000 clients: deliveries/s", "fanout", 1000, "deliveriesPerSec")
line("fanout 1,000 clients: server CPU µs/delivery", "fanout", 1000, "serverCpuUsPerDelivery")
line("fanout 1,000 clients: lost", "fanout", 1000, "lost")
line("fanout 1,000 clients: out of order", "fanout", 1000, "outOfOrder")
line("fanout 1,000 clients: server gen0 GCs during the run", "fanout", 1000, "serverGen0")
line("fanout 1,000 clients: server bytes allocated per delivery", "fanout", 1000, "serverAllocatedBytesPerDelivery")
line("fanout 100 clients: deliveries/s", "fanout", 100, "deliveriesPerSec")
line("fanout 100 clients: server CPU µs/delivery", "fanout", 100, "serverCpuUsPerDelivery")
line("steady 50k/s, 1,000 clients: p50 ms", "steady", 1000, "p50Ms")
line("steady 50k/s, 1,000 clients: p99 ms", "steady", 1000, "p99Ms")
line("steady 50k/s, 1,000 clients: server CPU µs/delivery", "steady", 1000, "serverCpuUsPerDelivery")
line("steady 50k/s, 1,000 clients: server CPU %", "steady", 1000, "serverCpuPct")
line("steady 50k/s, 1,000 clients: server CPU % afterwards, nobody writing", "steady", 1000, "serverQuietCpuPct")
line("steady 50k/s, 1,000 clients: generator CPU %", "steady", 1000, "generatorCpuPct")
for n in sorted({r["clients"] for r in rows if r["scenario"] == "idle"}):
    line(f"idle {n:,}: KiB per connection", "idle", n, "kibPerConnection")
    line(f"idle {n:,}, fresh server (no warm-up): KiB per connection", "idle", n, "kibPerConnection", ours="ours-fresh", base="baseline-fresh")
    line(f"idle {n:,}: handshakes/s", "idle", n, "handshakesPerSec")
    line(f"idle {n:,}, fresh server (no warm-up): handshakes/s", "idle", n, "handshakesPerSec", ours="ours-fresh", base="baseline-fresh")
    line(f"idle {n:,}: final broadcast reached", "idle", n, "finalBroadcastReached")
line("stalled: lost by the other 100", "stalled", 100, "lostByOthers")
line("stalled: server peak RSS MiB", "stalled", 100, "serverPeakRssMiB")


def per_repetition(name, scenario, clients, field, ours="ours", base="baseline"):
    """ours / baseline within each repetition (the two run minutes apart), in run order."""
    pick = lambda label: [r[field] for r in rows if r["scenario"] == scenario and r.get("clients") == clients and r["label"] == label and r.get(field) is not None]
    ratios = [o / b for o, b in zip(pick(ours), pick(base)) if b]
    if ratios:
        print(f"- {name}: " + ", ".join(f"{x:.2f}" for x in ratios) + f" (median {statistics.median(ratios):.2f})")


print("\nours / baseline within each repetition:\n")
per_repetition("fanout 1,000 clients, deliveries/s", "fanout", 1000, "deliveriesPerSec")
per_repetition("fanout 1,000 clients, server CPU per delivery", "fanout", 1000, "serverCpuUsPerDelivery")
per_repetition("fanout 100 clients, deliveries/s", "fanout", 100, "deliveriesPerSec")
per_repetition("steady, p99 latency", "steady", 1000, "p99Ms")
per_repetition("steady, server CPU per delivery", "steady", 1000, "serverCpuUsPerDelivery")
for n in sorted({r["clients"] for r in rows if r["scenario"] == "idle"}):
    per_repetition(f"idle {n:,}, handshakes/s", "idle", n, "handshakesPerSec")
    per_repetition(f"idle {n:,}, KiB per connection", "idle", n, "kibPerConnection")
    per_repetition(f"idle {n:,} on a fresh server, handshakes/s", "idle", n, "handshakesPerSec", ours="ours-fresh", base="baseline-fresh")
    per_repetition(f"idle {n:,} on a fresh server, KiB per connection", "idle", n, "kibPerConnection", ours="ours-fresh", base="baseline-fresh")


def paired_runs(label, scenario="fanout", over="ours"):
    """Each repetition's run of `label` beside the 1,000-client fanout run `over` of the same repetition."""
    ones = [r for r in rows if r["scenario"] == "fanout" and r["clients"] == 1000 and r["label"] == over]
    others = [r for r in rows if r["scenario"] == scenario and r["clients"] == 1000 and r["label"] == label]
    return list(zip(others, ones))


def paired(label):
    """Each repetition's run of `label` over the single-node broadcast fanout of the same repetition."""
    return [(o["deliveriesPerSec"], b["deliveriesPerSec"]) for o, b in paired_runs(label)]


def print_paired(title, label, scenario, over):
    """deliveries/s ratio per repetition and median, then CPU per delivery side by side, and what was lost."""
    pairs = paired_runs(label, scenario, over)
    if not pairs:
        return
    ratios = ", ".join(f"{o['deliveriesPerSec']:,.0f} / {b['deliveriesPerSec']:,.0f} = {o['deliveriesPerSec'] / b['deliveriesPerSec']:.2f}" for o, b in pairs)
    print(f"\n{title}, deliveries/s per repetition: {ratios}; "
          f"median {statistics.median(o['deliveriesPerSec'] / b['deliveriesPerSec'] for o, b in pairs):.2f}")
    cpu = ", ".join(f"{o['serverCpuUsPerDelivery']} vs {b['serverCpuUsPerDelivery']}" for o, b in pairs)
    print(f"server CPU µs/delivery, per repetition ({label} vs {over}): {cpu}; lost {', '.join(str(o['lost']) for o, _ in pairs)}, "
          f"out of order {', '.join(str(o['outOfOrder']) for o, _ in pairs)}")
    # Near 100% the generator, not the server, set the pace of that run.
    generator = ", ".join(f"{o['generatorCpuPct']:.0f} vs {b['generatorCpuPct']:.0f}" for o, b in pairs)
    print(f"generator CPU %, per repetition ({label} vs {over}): {generator}")


print_paired("nick-broadcast / broadcast (ours, 1,000 clients)", "ours-nick", "fanout", "ours")
stored = paired("ours-nick-store")
if stored:
    ratios = ", ".join(f"{o:,.0f} / {b:,.0f} = {o / b:.2f}" for o, b in stored)
    print(f"nick-broadcast with --store (50 kept, written behind) / broadcast deliveries/s, per repetition: {ratios}; "
          f"median {statistics.median(o / b for o, b in stored):.2f}")
scraped = paired("ours-scraped")
if scraped:
    ratios = ", ".join(f"{o:,.0f} / {b:,.0f} = {o / b:.2f}" for o, b in scraped)
    print(f"broadcast fanout with /metrics scraped every second / without, per repetition: {ratios}; "
          f"median {statistics.median(o / b for o, b in scraped):.2f}")
for label, who in (("ours-rooms", "10% writing"), ("ours-rooms-all", "everybody writing")):
    runs = [r for r in rows if r["scenario"] == "rooms" and r["label"] == label]
    if runs:
        print(f"\nrooms, 1,000 clients in 100 rooms of 10, {who}: deliveries/s "
              + ", ".join(f"{r['deliveriesPerSec']:,.0f}" for r in runs)
              + "; server CPU µs/delivery " + ", ".join(f"{r['serverCpuUsPerDelivery']}" for r in runs)
              + "; lost " + ", ".join(str(r["lost"]) for r in runs))
print_paired("nick-broadcast with --store / without (ours, 1,000 clients)", "ours-nick-store", "fanout", "ours-nick")
print_paired("rooms, all 1,000 clients in one room, 10 writing / broadcast fanout (ours, 1,000 clients)", "ours-room1", "rooms", "ours")
print_paired("nick-broadcast with 100 receivers dropping and resuming / plain nick-broadcast (ours, 1,000 clients)", "ours-recovery", "recovery", "ours-nick")
for r in (r for r in rows if r["label"] == "ours-recovery"):
    print(f"recovery: {r['recovered']} of {r['reconnects']} resumed with \"recovered\":true ({r['recoveredMessages']:,} messages replayed), "
          f"{r['notRecovered']} told \"recovered\":false, duplicates {r['duplicates']}, gaps {r['gaps']}, "
          f"nickname retries {r['reconnectAttempts'] - r['reconnects']}, resume ms median {r['resumeMsMedian']:.0f} max {r['resumeMsMax']:.0f}")
stalled = [r for r in rows if r["scenario"] == "stalled"]
for r in stalled:
    print(f"stalled ({r['label']}): disconnected={r['stalledDisconnected']} close={r['stalledCloseCode']} lostByOthers={r['lostByOthers']} peakRss={r['serverPeakRssMiB']} MiB")
two = [r for r in rows if r["label"] == "ours-2nodes"]
if two:
    pairs = paired("ours-2nodes")
    ratios = ", ".join(f"{o:,.0f} / {b:,.0f} = {o / b:.2f}" for o, b in pairs)
    print(f"\ntwo nodes + Redis / one node, deliveries/s (fanout 1,000 clients, everything on one core), per repetition: {ratios}; "
          f"median {statistics.median(o / b for o, b in pairs):.2f}")
    c = med(("fanout", 1000, "ours-2nodes"), "serverCpuUsPerDelivery")
    c1 = med(("fanout", 1000, "ours"), "serverCpuUsPerDelivery")
    print(f"server CPU µs/delivery (median), two nodes + Redis vs one node: {c:.3g} vs {c1:.3g}")
    for r in two:
        print(f"2 nodes ({r['deliveriesPerSec']:,.0f}/s, lost {r['lost']}, out of order {r['outOfOrder']}): CPU % node A, node B, Redis = {r['serverCpuPctByProcess']}")

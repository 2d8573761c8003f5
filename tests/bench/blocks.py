#!/usr/bin/env python3
"""blocks.py - A/B of commands run back to back, as bench.sh's latency rows run them.

abrun.c alternates single runs; a box started right after another of the same name meets what
the last run left in the kernel (a namespace still being dismantled, its link), which single
alternating runs of two names never do. Here each round runs every command as one block of
back-to-back runs (hyperfine -N, two warm-ups), in a new random order per round, so that the
machine's drift over minutes hits all of them alike; the paired per-round differences of the
block medians against the second command give the standard error.

  tests/bench/blocks.py ROUNDS RUNS LABEL=COMMAND...

Example (README "Performance", round sixteen): the private row, then two builds' veth rows:
  B=/tmp/boxbench/box
  tests/bench/blocks.py 40 8 "priv=build/boxlaunch --console=pipe -q --name bb-boxlaunch \
      $B/bb-boxlaunch-true-u0.box" "old=/tmp/boxlaunch-old --console=pipe -q --name \
      bb-boxlaunch-veth $B/bb-boxlaunch-veth-true-u0-veth.box" "new=build/boxlaunch ..."
"""
import json
import random
import statistics
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    rounds, runs = int(sys.argv[1]), int(sys.argv[2])
    cmds = [a.split("=", 1) for a in sys.argv[3:]]
    labels = [label for label, _ in cmds]
    times = {label: [] for label in labels}
    block = {label: [] for label in labels}
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        for _ in range(rounds):
            order = cmds[:]
            random.shuffle(order)
            for label, cmd in order:
                subprocess.run(["hyperfine", "-N", "-w", "2", "-r", str(runs), "--export-json",
                                out.name, cmd], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=True)
                with open(out.name) as f:
                    t = [x * 1000 for x in json.load(f)["results"][0]["times"]]
                times[label] += t
                block[label].append(statistics.median(t))
    ref = labels[1]
    for label in labels:
        d = [y - x for x, y in zip(block[ref], block[label])]
        se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else 0
        print(f"{label:12s} median {statistics.median(times[label]):7.2f} ms (n={len(times[label])})"
              f"  vs {ref}: {statistics.mean(d):+.2f} ms (se {se:.2f}) per round")


if __name__ == "__main__":
    main()

"""Import cost of skmtlx: ``python -X importtime`` of a few import statements.

Each statement runs in a fresh interpreter ``--repeats`` times, interleaved
over the source trees given with ``--roots`` (each put first on PYTHONPATH, so
an old checkout can be measured side by side with this one); prints the median
cumulative import time of the statement's top-level module and, for the first
statement, the heaviest modules it imports beyond torch, scikit-learn and
skorch. Run::

    python benchmarks/import_time.py --roots /path/to/old/checkout . --repeats 3
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

from _common import finish_run, print_table, start_run

STATEMENTS = {
    "import skmtlx": "import skmtlx",
    "one estimator": "from skmtlx import TaskGrouper",
    "every public name": "import skmtlx; [getattr(skmtlx, n) for n in skmtlx.__all__]",
    "floor: torch, sklearn.base, skorch": "import torch, sklearn.base, skorch",
}
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_times(root, statement):
    """{module: (self us, cumulative us, nesting depth)} of one fresh run of ``statement``."""
    env = dict(os.environ, PYTHONPATH=os.path.abspath(root))
    stderr = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], env=env,
                            cwd=os.path.abspath(root), capture_output=True, text=True,
                            check=True).stderr
    times = {}
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match:
            depth = (len(match.group(3)) - 1) // 2
            times[match.group(4)] = (int(match.group(1)), int(match.group(2)), depth)
    return times


def total_seconds(times):
    """Sum of the cumulative times of the top-level imports of a run."""
    return sum(cum for _, cum, depth in times.values() if depth == 0) / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roots", nargs="+", default=["."])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    clock = start_run()
    samples = {(root, label): [] for root in args.roots for label in STATEMENTS}
    runs = {}
    for _ in range(args.repeats):
        for label, statement in STATEMENTS.items():
            for root in args.roots:
                runs[root, label] = import_times(root, statement)
                samples[root, label].append(total_seconds(runs[root, label]))
    rows = [{"statement": label, **{f"{root} (s)": statistics.median(samples[root, label])
                                    for root in args.roots}} for label in STATEMENTS]
    print_table(rows, {"statement": "<36", **{f"{root} (s)": ">8.3f" for root in args.roots}},
                title=f"median of {args.repeats} runs, seconds (imports of sitecustomize etc. "
                      "included)")
    floor = set(runs[args.roots[-1], "floor: torch, sklearn.base, skorch"])
    for root in args.roots:
        extra = {name: self_us for name, (self_us, _, _) in runs[root, "every public name"].items()
                 if name not in floor}
        by_package = {}
        for name, self_us in extra.items():
            package = ".".join(name.split(".")[:2])
            by_package[package] = by_package.get(package, 0) + self_us
        heaviest = sorted(by_package.items(), key=lambda item: -item[1])[:8]
        print(f"{root}: every public name imports {len(extra)} modules beyond the floor, "
              f"{sum(extra.values()) / 1e6:.2f} s self time; heaviest: "
              + ", ".join(f"{name} {us / 1e3:.0f} ms" for name, us in heaviest))
    finish_run(clock)


if __name__ == "__main__":
    main()

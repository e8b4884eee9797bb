"""CPU time of encrypt_ballot and verify_ballot on the ballot of bench/tellers.py
(25 items × yes/no/abstain, "at most 20 yes", the same marks), median over many runs.

    .venv/bin/python tools/bench_ballot_crypto.py [--runs 30] [ROOT ...]

Each ROOT is a source tree holding a `voting` package (default: this checkout); to
compare two versions on the same noisy machine, export the other one
(`git archive REV voting | tar -x -C /tmp/old`) and pass both roots: the runs of the
roots are interleaved in rounds so that both see the same load."""
import json
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from voting.crypto import group
from voting.crypto.ballot import Shape, encrypt_ballot, verify_ballot
try:  # the encoding a yes/no/abstain ballot gets (a tree older than the packed encoding: one-hot)
    from voting.crypto.ballot import PACKED
    encoding = (PACKED,)
except ImportError:
    encoding = ()
items = tuple(str(100 + i) for i in range(25))
shape = Shape(7, items, ("yes", "no", "abstain"), "yes", 20, *encoding)
key = group.base_mul(group.random_scalar())
def marks(index):
    return {item: ("yes" if n < 20 and (n + index) % 7 else "no") for n, item in enumerate(items)}
verify_ballot(key, shape, encrypt_ballot(key, shape, marks(0)))  # warm up
for line in sys.stdin:
    enc, ver = [], []
    for index in range(int(line)):
        choices = marks(index)
        start = time.process_time()
        encrypted = encrypt_ballot(key, shape, choices)
        enc.append(time.process_time() - start)
        start = time.process_time()
        verify_ballot(key, shape, encrypted)
        ver.append(time.process_time() - start)
    print(json.dumps([enc, ver]), flush=True)
"""


def main(argv):
    runs, roots = 30, []
    while argv:
        arg = argv.pop(0)
        if arg == "--runs":
            runs = int(argv.pop(0))
        else:
            roots.append(str(Path(arg).resolve()))
    roots = roots or [str(Path(__file__).resolve().parent.parent)]
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, root], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for root in roots]
    samples = {root: ([], []) for root in roots}
    rounds = 5
    for _ in range(rounds):
        for root, worker in zip(roots, workers):
            worker.stdin.write(f"{-(-runs // rounds)}\n")
            worker.stdin.flush()
            enc, ver = json.loads(worker.stdout.readline())
            samples[root][0].extend(enc)
            samples[root][1].extend(ver)
    for worker in workers:
        worker.stdin.close()
        worker.wait()
    for root, (enc, ver) in samples.items():
        print(f"{root}: n={len(ver)} verify_ballot median {1000 * statistics.median(ver):.1f} ms "
              f"(min {1000 * min(ver):.1f}), encrypt_ballot median {1000 * statistics.median(enc):.1f} ms "
              f"(min {1000 * min(enc):.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])

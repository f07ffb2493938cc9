#!/usr/bin/env python3
"""Prints the Sinew vs PyTorch table from JSON lines: per round one Sinew line and one line per
PyTorch setting (lines without a "round" are round 1). Per workload and round, Sinew's figure is
set against PyTorch's best setting of the same round; the table gives the median over the rounds
and their spread (lowest-highest)."""
import json, statistics, sys

# Training FLOPs per step (forward + backward; the first layer computes no input gradient):
# a dense layer of n_in x n_out over a batch B costs 2 B n_in n_out per GEMM.
def dense_train_flops(batch, sizes):
    f = 0
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        f += 2 * batch * a * b * (2 if i == 0 else 3)
    return f

W1_FLOPS_PER_EPOCH = dense_train_flops(100, [784, 150, 150, 100, 10]) * 600
# CNN per image: conv1 26*26*32 outputs x 9 MACs, conv2 11*11*64 x 288, dense 1600x128, 128x10.
_conv1, _conv2, _d1, _d2 = 26 * 26 * 32 * 9, 11 * 11 * 64 * 288, 1600 * 128, 128 * 10
W2_FLOPS_PER_EPOCH = 2 * 60_000 * (2 * _conv1 + 3 * (_conv2 + _d1 + _d2))

WORKLOADS = [  # key, name, higher is better, target ratio
    ("w1_s_per_epoch", "W1 MLP train, s/epoch", False, "<= 0.7"),
    ("w1a_s_per_epoch", "W1 with Adam, s/epoch", False, "<= 0.7"),
    ("w1_warm_s_per_epoch", "W1, warm (epochs 7-9), s/epoch", False, "<= 0.7"),
    ("w1a_warm_s_per_epoch", "W1 with Adam, warm, s/epoch", False, "<= 0.7"),
    ("w2_s_per_epoch", "W2 CNN train, s/epoch", False, "<= 0.6"),
    ("w3_images_per_s", "W3 MLP inference, images/s", True, ">= 1.5"),
    # Sinew's int8 path (model.quantize("int8")) against PyTorch's float32: reported, no target
    ("w3_int8_images_per_s", "W3 int8 (quantize) vs PyTorch float32, images/s", True, "(reported)", "w3_images_per_s"),
    ("w4_us_per_step", "W4 regression step, us", False, "<= 0.2"),
    ("w5_s_per_epoch", "W5 residual CNN train, s/epoch", False, "<= 0.8"),
]

rows = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
for r in rows:  # PyTorch has no JIT to warm up: its one W1 figure stands for both
    if r["library"] != "Sinew":
        r.setdefault("w1_warm_s_per_epoch", r["w1_s_per_epoch"])
        r.setdefault("w1a_warm_s_per_epoch", r["w1a_s_per_epoch"])
rounds = sorted({r.get("round", 1) for r in rows})
sinew = {k: next((r for r in rows if r["library"] == "Sinew" and r.get("round", 1) == k), None) for k in rounds}
torch = {k: [r for r in rows if r["library"] != "Sinew" and r.get("round", 1) == k] for k in rounds}
rounds = [k for k in rounds if sinew[k] and torch[k]]
if not rounds:
    sys.exit("no round with both Sinew and PyTorch results")

def setting(t):
    wait = t.get("omp_wait_policy", "default")
    return f"{t['torch_threads']}/{t['openblas_threads']}" + ("" if wait == "default" else f"/{wait}")

def fmt(key, v):
    return f"{v:,.0f}" if key.startswith("w3") else f"{v:.3f}" if v < 10 else f"{v:.2f}"

for k in rounds:
    s = sinew[k]
    print(f"round {k}: Sinew W1 {s['w1_s_per_epoch']:.3f} s, W1 Adam {s['w1a_s_per_epoch']:.3f} s, W2 {s['w2_s_per_epoch']:.2f} s,"
          f" W3 {s['w3_images_per_s']:,.0f} img/s, W4 {s['w4_us_per_step']:.1f} us, W5 {s.get('w5_s_per_epoch', float('nan')):.1f} s,"
          f" SGEMM {s['sgemm_ceiling_gflops']:.1f} GFLOP/s")
    for t in torch[k]:
        print(f"  PyTorch {setting(t):>14}: W1 {t['w1_s_per_epoch']:.3f} s, W1 Adam {t['w1a_s_per_epoch']:.3f} s,"
              f" W2 {t['w2_s_per_epoch']:.2f} s, W3 {t['w3_images_per_s']:,.0f} img/s, W4 {t['w4_us_per_step']:.1f} us,"
              f" W5 {t.get('w5_s_per_epoch', float('nan')):.1f} s")

def spread(values, key):
    return f"{fmt(key, statistics.median(values))} ({fmt(key, min(values))}-{fmt(key, max(values))})"

print()
print(f"Medians over {len(rounds)} round(s), spread in brackets; each round's ratio is Sinew against PyTorch's best"
      f" setting in that round (for W3, a throughput, > 1 means Sinew is faster; for the others < 1 does).")
print()
print("| workload | Sinew | PyTorch, best setting | ratio per round | median ratio | target |")
print("|---|---|---|---|---|---|")
for key, name, higher, target, *theirs_key in WORKLOADS:
    tkey = theirs_key[0] if theirs_key else key
    ks = [k for k in rounds if key in sinew[k] and all(tkey in t for t in torch[k])]
    if not ks:
        continue
    ours, theirs, ratios, settings = [], [], [], []
    for k in ks:
        best = (max if higher else min)(torch[k], key=lambda t: t[tkey])
        ours.append(sinew[k][key])
        theirs.append(best[tkey])
        ratios.append(sinew[k][key] / best[tkey])
        settings.append(setting(best))
    print(f"| {name} | {spread(ours, key)} | {spread(theirs, key)} [{', '.join(sorted(set(settings)))}] |"
          f" {' / '.join(f'{r:.2f}' for r in ratios)} | {statistics.median(ratios):.2f} | {target} |")
print()
ceiling = statistics.median(sinew[k]["sgemm_ceiling_gflops"] for k in rounds)
w1 = statistics.median(sinew[k]["w1_s_per_epoch"] for k in rounds)
w2 = statistics.median(sinew[k]["w2_s_per_epoch"] for k in rounds)
w1w = statistics.median(sinew[k].get("w1_warm_s_per_epoch", w1) for k in rounds)
w1g, w2g, w1wg = W1_FLOPS_PER_EPOCH / w1 / 1e9, W2_FLOPS_PER_EPOCH / w2 / 1e9, W1_FLOPS_PER_EPOCH / w1w / 1e9
print(f"SGEMM ceiling (2048^3 through Sinew's FFM path, {sinew[rounds[0]]['threads']} threads, median): {ceiling:.1f} GFLOP/s")
print(f"W1 (median) achieves {w1g:.1f} GFLOP/s = {100 * w1g / ceiling:.0f}% of it (target >= 50%); "
      f"warm W1 {w1wg:.1f} GFLOP/s = {100 * w1wg / ceiling:.0f}%; W2 {w2g:.1f} GFLOP/s = {100 * w2g / ceiling:.0f}%")

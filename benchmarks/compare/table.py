#!/usr/bin/env python3
"""Prints the Sinew vs PyTorch table from JSON lines (one Sinew line, one line per PyTorch setting)."""
import json, sys

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

rows = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
sinews = [r for r in rows if r["library"] == "Sinew"]
torch = [r for r in rows if r["library"] != "Sinew"]
if not sinews or not torch:
    sys.exit("no Sinew or no PyTorch results")
# Each workload's best Sinew figure over its runs (the run script measures before and after PyTorch).
sinew = dict(sinews[0])
for key, higher in [("w1_s_per_epoch", False), ("w1a_s_per_epoch", False), ("w2_s_per_epoch", False), ("w3_images_per_s", True),
                    ("w4_us_per_step", False), ("w5_s_per_epoch", False), ("sgemm_ceiling_gflops", True)]:
    sinew[key] = (max if higher else min)(r[key] for r in sinews)

print(f"Sinew runs: {len(sinews)}")
for r in sinews:
    print(f"  W1 {r['w1_s_per_epoch']:.3f} s, W1 Adam {r['w1a_s_per_epoch']:.3f} s, W2 {r['w2_s_per_epoch']:.2f} s, W3 {r['w3_images_per_s']:,.0f} img/s,"
          f" W4 {r['w4_us_per_step']:.1f} us, W5 {r['w5_s_per_epoch']:.1f} s, SGEMM {r['sgemm_ceiling_gflops']:.1f} GFLOP/s")

print("PyTorch settings tried (torch threads / OPENBLAS_NUM_THREADS):")
for t in torch:
    print(f"  {t['torch_threads']} / {t['openblas_threads']}: W1 {t['w1_s_per_epoch']:.3f} s, W1 Adam {t['w1a_s_per_epoch']:.3f} s, W2 {t['w2_s_per_epoch']:.2f} s,"
          f" W3 {t['w3_images_per_s']:,.0f} img/s, W4 {t['w4_us_per_step']:.1f} us, W5 {t['w5_s_per_epoch']:.1f} s")

def best(key, higher):
    return (max if higher else min)(torch, key=lambda t: t[key])

ceiling = sinew["sgemm_ceiling_gflops"]
print()
print(f"| workload | Sinew | PyTorch (best setting) | Sinew / PyTorch | target |")
print(f"|---|---|---|---|---|")
for key, name, unit, higher, target in [
        ("w1_s_per_epoch", "W1 MLP train, s/epoch", "s", False, "<= 0.7"),
        ("w1a_s_per_epoch", "W1 with Adam, s/epoch", "s", False, "<= 0.7"),
        ("w2_s_per_epoch", "W2 CNN train, s/epoch", "s", False, "<= 1.0"),
        ("w3_images_per_s", "W3 MLP inference, images/s", "", True, ">= 1.5"),
        ("w4_us_per_step", "W4 regression step, us", "", False, "<= 0.2"),
        ("w5_s_per_epoch", "W5 residual CNN train, s/epoch", "s", False, "<= 0.8")]:
    b = best(key, higher)
    fmt = (lambda v: f"{v:,.0f}") if key == "w3_images_per_s" else (lambda v: f"{v:.3f}")
    print(f"| {name} | {fmt(sinew[key])} | {fmt(b[key])} ({b['torch_threads']}/{b['openblas_threads']}) |"
          f" {sinew[key] / b[key]:.2f} | {target} |")
print()
w1g = W1_FLOPS_PER_EPOCH / sinew["w1_s_per_epoch"] / 1e9
w2g = W2_FLOPS_PER_EPOCH / sinew["w2_s_per_epoch"] / 1e9
print(f"SGEMM ceiling (2048^3 through Sinew's FFM path, {sinew['threads']} threads): {ceiling:.1f} GFLOP/s")
print(f"W1 achieves {w1g:.1f} GFLOP/s = {100 * w1g / ceiling:.0f}% of it (target >= 50%); "
      f"W2 {w2g:.1f} GFLOP/s = {100 * w2g / ceiling:.0f}%")

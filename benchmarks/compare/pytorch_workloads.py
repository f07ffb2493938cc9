#!/usr/bin/env python3
"""W1-W4 of Sinew's performance issue in PyTorch (CPU), printed as one JSON object.

    python3 pytorch_workloads.py --threads 2 [--data DIR] [--w2-steps 300]

The same networks, optimisers, batch sizes and data as Sinew's side (Compare.java):
  W1  784-150-150-100-10 relu, softmax + cross-entropy, SGD 0.1, batch 100: seconds per epoch (60,000 images)
  W2  the notebook CNN, SGD 0.05, batch 64: seconds per epoch (938 steps; measured over --w2-steps, scaled)
  W3  W1's network, inference on the 10,000 test images in batches of 1,000: images per second
  W4  2-150-150-100-1 relu, MSE, SGD 0.1, batch 20: microseconds per training step
  W1A W1 with Adam(0.001) (torch.optim.Adam, eps 1e-7 as Keras's default): seconds per epoch
  W5  the residual CNN of issue 12 (Networks.resnet, width 16: 3x3 convs without bias + BatchNorm,
      three stages of two blocks, global average pooling), Adam(0.001), batch 128: seconds per epoch
      (469 steps; measured over --w5-steps, scaled)
"""
import argparse, gzip, json, os, struct, time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir):
    def find(name):
        for cand in (name + ".gz", name):
            p = os.path.join(data_dir, cand)
            if os.path.exists(p):
                return p
        raise FileNotFoundError(name + " in " + data_dir)
    xs = read_idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    ys = read_idx(find("train-labels-idx1-ubyte")).astype(np.int64)
    xt = read_idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    return torch.from_numpy(xs), torch.from_numpy(ys), torch.from_numpy(xt)


def mlp():
    return nn.Sequential(nn.Linear(784, 150), nn.ReLU(), nn.Linear(150, 150), nn.ReLU(),
                         nn.Linear(150, 100), nn.ReLU(), nn.Linear(100, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def convbn(cin, cout, stride, k=3):
    # Keras's BatchNormalization: momentum 0.99 (torch counts 1 - it), epsilon 0.001
    return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*convbn(cin, cout, stride), nn.ReLU(), *convbn(cout, cout, 1))
        self.shortcut = nn.Sequential(*convbn(cin, cout, stride, 1)) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet(width=16):
    layers, cin = [*convbn(1, width, 1), nn.ReLU()], width
    for stage in range(3):
        for block in range(2):
            layers.append(Block(cin, width << stage, 2 if stage > 0 and block == 0 else 1))
            cin = width << stage
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))


def train_steps(model, lr, x, y, batch, steps, loss_fn, shape=None, adam=False):
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7) if adam else torch.optim.SGD(model.parameters(), lr=lr)
    perm = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for s in range(steps):
        idx = perm[(s * batch) % x.shape[0]:][:batch]
        xb, yb = x[idx], y[idx]
        if shape is not None:
            xb = xb.view(-1, *shape)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.environ.get("SINEW_DATA", "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--w2-steps", type=int, default=300)
    ap.add_argument("--w5-steps", type=int, default=60)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    xs, ys, xt = load(a.data)
    ce = nn.CrossEntropyLoss()  # softmax + cross-entropy from logits, fused

    m = mlp()
    train_steps(m, 0.1, xs, ys, 100, 50, ce)  # warm-up
    w1 = train_steps(m, 0.1, xs, ys, 100, 600, ce)

    ma = mlp()
    train_steps(ma, 0.001, xs, ys, 100, 50, ce, adam=True)  # warm-up
    w1a = train_steps(ma, 0.001, xs, ys, 100, 600, ce, adam=True)

    c = cnn()
    train_steps(c, 0.05, xs, ys, 64, 20, ce, (1, 28, 28))
    w2 = train_steps(c, 0.05, xs, ys, 64, a.w2_steps, ce, (1, 28, 28)) * 938 / a.w2_steps

    rn = resnet(16)
    train_steps(rn, 0.001, xs, ys, 128, 10, ce, (1, 28, 28), adam=True)
    w5 = train_steps(rn, 0.001, xs, ys, 128, a.w5_steps, ce, (1, 28, 28), adam=True) * 469 / a.w5_steps

    m.eval()
    best = float("inf")
    with torch.no_grad():
        for _ in range(30):  # the same untimed passes as Compare.java's (Sinew's are for its JIT)
            for i in range(0, 10000, 1000):
                m(xt[i:i + 1000])
        for _ in range(6):  # best of 6, as Compare.java's
            start = time.perf_counter()
            for i in range(0, 10000, 1000):
                m(xt[i:i + 1000])
            best = min(best, time.perf_counter() - start)
    w3 = 10000 / best

    r = nn.Sequential(nn.Linear(2, 150), nn.ReLU(), nn.Linear(150, 150), nn.ReLU(), nn.Linear(150, 100), nn.ReLU(),
                      nn.Linear(100, 1), nn.ReLU())
    xr = torch.rand(20000, 2) * 2 - 1
    yr = torch.exp(-2 * (xr ** 2).sum(1, keepdim=True)) * (1 + 0.5 * torch.sin(3 * xr[:, :1]))
    train_steps(r, 0.1, xr, yr, 20, 200, nn.MSELoss())
    w4 = train_steps(r, 0.1, xr, yr, 20, 2000, nn.MSELoss()) / 2000 * 1e6

    print(json.dumps({"library": "PyTorch " + torch.__version__, "torch_threads": a.threads,
                      "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
                      "w1_s_per_epoch": w1, "w1a_s_per_epoch": w1a, "w2_s_per_epoch": w2, "w3_images_per_s": w3, "w4_us_per_step": w4, "w5_s_per_epoch": w5}))


if __name__ == "__main__":
    main()

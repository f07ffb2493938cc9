#!/usr/bin/env python3
"""Golden values for OptimizerGoldenTest: Keras's optimizer formulas, step by step, in float32.

Each update below is transcribed from keras/src/optimizers/<name>.py (update_step) and
base_optimizer.py (clipping, weight decay, EMA, in that order). Pure Python, no numpy: every
operation is done in double and rounded to float32 (f32), which for + - * / and sqrt gives exactly
IEEE float32 arithmetic, as Keras's float32 variables do. Run it to regenerate golden.json:

    python3 src/test/resources/dev/sinew/optimizers/golden.py > src/test/resources/dev/sinew/optimizers/golden.json

The model it steps has two weights, "dense/kernel" (2 x 3) and "dense/bias" (3), and five steps of
fixed gradients; the test feeds Sinew the same numbers and compares every weight after every step.
"""
import json
import math
import struct


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


KERNEL = [0.5, -1.25, 2.0, 0.75, -0.3, 1.1]
BIAS = [0.1, -0.2, 0.05]
# Five steps of gradients for (kernel, bias); some large, so that clipping has work to do.
GRADS = [
    ([0.3, -0.7, 1.5, 0.02, -2.5, 0.9], [0.4, -0.1, 0.25]),
    ([-0.6, 0.2, 0.8, -1.1, 0.05, 0.3], [0.2, 0.3, -0.35]),
    ([1.2, -0.4, -0.9, 0.6, 0.7, -1.3], [-0.5, 0.15, 0.05]),
    ([0.05, 0.9, -0.2, 3.0, -0.6, 0.4], [0.1, -0.45, 0.6]),
    ([-0.3, -0.3, 0.45, -0.2, 1.6, -0.75], [0.3, 0.05, -0.2]),
]
VARS = [("dense/kernel", "kernel"), ("dense/bias", "bias")]


def sgd(cfg):
    lr = f32(cfg.get("learning_rate", 0.01))
    mom = f32(cfg.get("momentum", 0.0))
    nesterov = cfg.get("nesterov", False)

    def update(w, g, s, lr, t):
        if mom == 0:
            return [f32(wi + f32(-gi * lr)) for wi, gi in zip(w, g)]
        m = s.setdefault("m", [0.0] * len(w))
        for i in range(len(w)):
            m[i] = f32(f32(-g[i] * lr) + f32(m[i] * mom))
            step = f32(f32(-g[i] * lr) + f32(m[i] * mom)) if nesterov else m[i]
            w[i] = f32(w[i] + step)
        return w
    return lr, update


def adam(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    b1, b2 = f32(cfg.get("beta_1", 0.9)), f32(cfg.get("beta_2", 0.999))
    eps = f32(cfg.get("epsilon", 1e-7))
    amsgrad = cfg.get("amsgrad", False)

    def update(w, g, s, lr, t):
        m = s.setdefault("m", [0.0] * len(w))
        v = s.setdefault("v", [0.0] * len(w))
        vh = s.setdefault("vhat", [0.0] * len(w))
        b1p, b2p = f32(math.pow(b1, t)), f32(math.pow(b2, t))
        alpha = f32(f32(lr * f32(math.sqrt(f32(1 - b2p)))) / f32(1 - b1p))
        for i in range(len(w)):
            m[i] = f32(m[i] + f32(f32(g[i] - m[i]) * f32(1 - b1)))
            v[i] = f32(v[i] + f32(f32(f32(g[i] * g[i]) - v[i]) * f32(1 - b2)))
            vv = v[i]
            if amsgrad:
                vh[i] = max(vh[i], v[i])
                vv = vh[i]
            w[i] = f32(w[i] - f32(f32(m[i] * alpha) / f32(f32(math.sqrt(vv)) + eps)))
        return w
    return lr, update


OPTIMIZERS = {"SGD": sgd, "Adam": adam}


def run(class_name, cfg, steps=5):
    lr, update = OPTIMIZERS[class_name](cfg)
    weights = [[f32(x) for x in KERNEL], [f32(x) for x in BIAS]]
    states = [{}, {}]
    avg = [list(w) for w in weights]
    clipnorm, clipvalue, gclip = cfg.get("clipnorm"), cfg.get("clipvalue"), cfg.get("global_clipnorm")
    wd = cfg.get("weight_decay")
    use_ema, ema_m = cfg.get("use_ema", False), f32(cfg.get("ema_momentum", 0.99))
    overwrite = cfg.get("ema_overwrite_frequency")
    out = []
    for it in range(steps):
        grads = [[f32(x) for x in g] for g in GRADS[it]]
        # 1. clipping (base_optimizer._clip_gradients); norms accumulate in double, as Sinew's kernel.
        if clipnorm:
            for k, g in enumerate(grads):
                norm = math.sqrt(sum(x * x for x in g))
                if norm > clipnorm:
                    s = f32(clipnorm / norm)
                    grads[k] = [f32(x * s) for x in g]
        elif gclip:
            norm = math.sqrt(sum(x * x for g in grads for x in g))
            if norm > gclip:
                s = f32(gclip / norm)
                grads = [[f32(x * s) for x in g] for g in grads]
        elif clipvalue:
            c = f32(clipvalue)
            grads = [[min(max(x, -c), c) for x in g] for g in grads]
        # 2. weight decay, not on biases (Sinew's default exclusion): w = w - w * wd * lr.
        if wd:
            w = weights[0]
            for i in range(len(w)):
                w[i] = f32(w[i] - f32(f32(w[i] * f32(wd)) * lr))
        # 3. the update, step t = iterations + 1
        for k in range(2):
            weights[k] = update(weights[k], grads[k], states[k], lr, it + 1)
        # 4. EMA: momentum 0 on the first step; overwrite every `overwrite` steps.
        if use_ema:
            m = 0.0 if it == 0 else ema_m
            for k in range(2):
                avg[k] = [f32(f32(m * a) + f32(f32(1 - m) * x)) for a, x in zip(avg[k], weights[k])]
            if overwrite and (it + 1) % overwrite == 0:
                weights = [list(a) for a in avg]
        out.append([list(w) for w in weights])
    return out


CASES = [
    ("sgd", "SGD", {"learning_rate": 0.1}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 1.0}),
    ("sgd_clipvalue", "SGD", {"learning_rate": 0.1, "clipvalue": 0.5}),
    ("sgd_global_clipnorm", "SGD", {"learning_rate": 0.1, "global_clipnorm": 1.5}),
    ("sgd_weight_decay", "SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    ("sgd_ema", "SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 2}),
    ("adam", "Adam", {}),
    ("adam_lr", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("adam_clipnorm_decay", "Adam", {"learning_rate": 0.01, "clipnorm": 1.0, "weight_decay": 0.1}),
]

if __name__ == "__main__":
    golden = {"kernel": KERNEL, "bias": BIAS, "grads": GRADS, "cases": []}
    for name, cls, cfg in CASES:
        golden["cases"].append({"name": name, "class_name": cls, "config": cfg, "steps": run(cls, cfg)})
    print(json.dumps(golden, indent=1))

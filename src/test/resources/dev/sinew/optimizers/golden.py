#!/usr/bin/env python3
"""Golden values for OptimizerGoldenTest: Keras's optimizer formulas, step by step, in float32.

Each update below is transcribed from keras/src/optimizers/<name>.py (update_step) and
base_optimizer.py (clipping, weight decay, EMA, in that order). Pure Python, no numpy: every
operation is done in double and rounded to float32 (f32), which for + - * / and sqrt gives exactly
IEEE float32 arithmetic, as Keras's float32 variables do. Run it to regenerate golden.json:

    python3 src/test/resources/dev/sinew/optimizers/golden.py > src/test/resources/dev/sinew/optimizers/golden.json

The model it steps has two weights, "dense/kernel" (2 x 3) and "dense/bias" (3), and five steps of
fixed gradients; the test feeds Sinew the same numbers and compares every weight after every step.

Constants follow Keras's dtype rules: a hyper-parameter meeting a float32 tensor becomes float32
(f32(rho) * v), and an expression of Python floats is computed in double first, so Keras's
`(1 - rho) * g**2` multiplies by f32(1 - rho), not by 1 - f32(rho) (the two differ by an ulp; Sinew's
kernels compute 1 - rho in float32 from float32 rho). Where Keras casts first (Nadam's and Lion's
`beta_1 = ops.cast(self.beta_1, ...)`, then `1 - beta_1`), the subtraction is in float32 here too.
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
        # Keras multiplies by (1 - self.beta_1) of the Python double, i.e. f32(1 - 0.9); this and
        # Sinew's sinew_adam use 1 - f32(0.9), an ulp apart (see the module docstring).
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


def rmsprop(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    rho, mom, eps = cfg.get("rho", 0.9), cfg.get("momentum", 0.0), cfg.get("epsilon", 1e-7)
    centered = cfg.get("centered", False)

    def update(w, g, s, lr, t):
        v = s.setdefault("velocity", [0.0] * len(w))
        a = s.setdefault("average_gradient", [0.0] * len(w))
        mo = s.setdefault("momentum", [0.0] * len(w))
        for i in range(len(w)):
            v[i] = f32(f32(f32(rho) * v[i]) + f32(f32(1 - rho) * f32(g[i] * g[i])))
            if centered:
                a[i] = f32(f32(f32(rho) * a[i]) + f32(f32(1 - rho) * g[i]))
                den = f32(f32(v[i] - f32(a[i] * a[i])) + f32(eps))
            else:
                den = f32(v[i] + f32(eps))
            inc = f32(f32(lr * g[i]) / f32(math.sqrt(den)))
            if mom > 0:
                mo[i] = f32(f32(f32(mom) * mo[i]) + inc)
                w[i] = f32(w[i] - mo[i])
            else:
                w[i] = f32(w[i] - inc)
        return w
    return lr, update


def adagrad(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    init, eps = cfg.get("initial_accumulator_value", 0.1), cfg.get("epsilon", 1e-7)

    def update(w, g, s, lr, t):
        acc = s.setdefault("accumulator", [f32(init)] * len(w))  # initializers.Constant
        for i in range(len(w)):
            acc[i] = f32(acc[i] + f32(g[i] * g[i]))
            w[i] = f32(w[i] - f32(f32(lr * g[i]) / f32(math.sqrt(f32(acc[i] + f32(eps))))))
        return w
    return lr, update


def adadelta(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    rho, eps = cfg.get("rho", 0.95), cfg.get("epsilon", 1e-7)

    def rms(x):
        return f32(math.sqrt(f32(x + f32(eps))))

    def update(w, g, s, lr, t):
        ag = s.setdefault("accumulated_grad", [0.0] * len(w))
        ad = s.setdefault("accumulated_delta_var", [0.0] * len(w))
        for i in range(len(w)):
            ag[i] = f32(f32(f32(rho) * ag[i]) + f32(f32(1 - rho) * f32(g[i] * g[i])))
            delta = -f32(f32(rms(ad[i]) * g[i]) / rms(ag[i]))
            ad[i] = f32(f32(f32(rho) * ad[i]) + f32(f32(1 - rho) * f32(delta * delta)))
            w[i] = f32(w[i] + f32(lr * delta))
        return w
    return lr, update


def adamax(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)

    def update(w, g, s, lr, t):
        m = s.setdefault("momentum", [0.0] * len(w))
        u = s.setdefault("norm", [0.0] * len(w))
        b1p = f32(math.pow(f32(b1), t))
        for i in range(len(w)):
            m[i] = f32(m[i] + f32(f32(g[i] - m[i]) * f32(1 - b1)))
            u[i] = max(f32(f32(b2) * u[i]), abs(g[i]))
            w[i] = f32(w[i] - f32(f32(lr * m[i]) / f32(f32(1 - b1p) * f32(u[i] + f32(eps)))))
        return w
    return lr, update


def nadam(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    beta_1, beta_2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
    b1, b2, decay = f32(beta_1), f32(beta_2), f32(0.96)
    shared = {"u_product": 1.0}  # one scalar for the whole model, not per variable

    def before_step(t):
        # Nadam._backend_update_step: u_product * beta_1 * (1 - 0.5 * 0.96^t), left to right.
        p = f32(math.pow(decay, t))
        shared["u_product"] = f32(f32(shared["u_product"] * b1) * f32(1.0 - f32(0.5 * p)))

    def update(w, g, s, lr, t):
        m = s.setdefault("momentum", [0.0] * len(w))
        v = s.setdefault("velocity", [0.0] * len(w))
        u_t = f32(b1 * f32(1.0 - f32(0.5 * f32(math.pow(decay, t)))))
        u_t_1 = f32(b1 * f32(1.0 - f32(0.5 * f32(math.pow(decay, t + 1)))))
        u_product_t = shared["u_product"]
        u_product_t_1 = f32(u_product_t * u_t_1)
        b2p = f32(math.pow(b2, t))
        for i in range(len(w)):
            m[i] = f32(m[i] + f32(f32(g[i] - m[i]) * f32(1 - b1)))
            v[i] = f32(v[i] + f32(f32(f32(g[i] * g[i]) - v[i]) * f32(1 - b2)))
            m_hat = f32(f32(f32(u_t_1 * m[i]) / f32(1 - u_product_t_1))
                        + f32(f32(f32(1 - u_t) * g[i]) / f32(1 - u_product_t)))
            v_hat = f32(v[i] / f32(1 - b2p))
            w[i] = f32(w[i] - f32(f32(m_hat * lr) / f32(f32(math.sqrt(v_hat)) + f32(eps))))
        return w
    return lr, update, before_step


def lion(cfg):
    lr = f32(cfg.get("learning_rate", 0.001))
    b1, b2 = f32(cfg.get("beta_1", 0.9)), f32(cfg.get("beta_2", 0.99))

    def sign(x):
        return 1.0 if x > 0 else (-1.0 if x < 0 else x)

    def update(w, g, s, lr, t):
        m = s.setdefault("momentum", [0.0] * len(w))
        for i in range(len(w)):
            c = f32(f32(m[i] * b1) + f32(g[i] * f32(1.0 - b1)))
            w[i] = f32(w[i] - f32(lr * sign(c)))
            m[i] = f32(f32(m[i] * b2) + f32(g[i] * f32(1.0 - b2)))
        return w
    return lr, update


OPTIMIZERS = {"SGD": sgd, "Adam": adam, "AdamW": adam, "RMSprop": rmsprop, "Adagrad": adagrad,
              "Adadelta": adadelta, "Adamax": adamax, "Nadam": nadam, "Lion": lion}
# Keras's default weight_decay where it is not None.
DEFAULT_WEIGHT_DECAY = {"AdamW": 0.004}


def run(class_name, cfg, steps=5):
    lr, update, *before = OPTIMIZERS[class_name](cfg)
    before_step = before[0] if before else None
    weights = [[f32(x) for x in KERNEL], [f32(x) for x in BIAS]]
    states = [{}, {}]
    avg = [list(w) for w in weights]
    clipnorm, clipvalue, gclip = cfg.get("clipnorm"), cfg.get("clipvalue"), cfg.get("global_clipnorm")
    wd = cfg.get("weight_decay", DEFAULT_WEIGHT_DECAY.get(class_name))
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
        # 3. the update, step t = iterations + 1 (Nadam first updates its u_product, once)
        if before_step:
            before_step(it + 1)
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
    ("adamw", "AdamW", {}),
    ("adamw_lr_decay", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "beta_1": 0.8, "epsilon": 1e-5}),
    ("adamw_amsgrad_clipnorm", "AdamW", {"learning_rate": 0.01, "amsgrad": True, "clipnorm": 1.0}),
    ("rmsprop", "RMSprop", {}),
    ("rmsprop_rho_eps", "RMSprop", {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-5}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.9}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("rmsprop_centered_momentum", "RMSprop", {"learning_rate": 0.005, "rho": 0.95, "momentum": 0.5, "centered": True}),
    ("rmsprop_clipnorm", "RMSprop", {"learning_rate": 0.01, "clipnorm": 1.0}),
    ("rmsprop_weight_decay", "RMSprop", {"learning_rate": 0.01, "weight_decay": 0.2}),
    ("adagrad", "Adagrad", {}),
    ("adagrad_init_eps", "Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-5}),
    ("adagrad_zero_init", "Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.0}),
    ("adagrad_global_clipnorm", "Adagrad", {"learning_rate": 0.1, "global_clipnorm": 1.5}),
    ("adadelta", "Adadelta", {}),
    ("adadelta_lr1", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
    ("adadelta_clipvalue", "Adadelta", {"learning_rate": 1.0, "clipvalue": 0.5}),
    ("adadelta_weight_decay", "Adadelta", {"learning_rate": 1.0, "weight_decay": 0.05}),
    ("adamax", "Adamax", {}),
    ("adamax_betas", "Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}),
    ("adamax_clipnorm_decay", "Adamax", {"learning_rate": 0.01, "clipnorm": 1.0, "weight_decay": 0.1}),
    ("nadam", "Nadam", {}),
    ("nadam_betas", "Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}),
    ("nadam_clipnorm", "Nadam", {"learning_rate": 0.01, "clipnorm": 1.0}),
    ("nadam_weight_decay_ema", "Nadam", {"learning_rate": 0.01, "weight_decay": 0.1, "use_ema": True, "ema_momentum": 0.9}),
    ("lion", "Lion", {}),
    ("lion_betas", "Lion", {"learning_rate": 0.01, "beta_1": 0.95, "beta_2": 0.98}),
    ("lion_weight_decay", "Lion", {"learning_rate": 0.01, "weight_decay": 0.5}),
    ("lion_clipvalue", "Lion", {"learning_rate": 0.01, "clipvalue": 0.5}),
]

if __name__ == "__main__":
    golden = {"kernel": KERNEL, "bias": BIAS, "grads": GRADS, "cases": []}
    for name, cls, cfg in CASES:
        golden["cases"].append({"name": name, "class_name": cls, "config": cfg, "steps": run(cls, cfg)})
    print(json.dumps(golden, indent=1))

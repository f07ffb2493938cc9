#!/usr/bin/python3
"""torch.optim's values for OptimizerGoldenTest#matchesTorchOptim: the steps of golden.py (same
weights, same five gradients) taken by torch.optim, for the Keras optimizers whose semantics
coincide with a torch.optim configuration. Run with the Python that has torch (Debian's
python3-torch 1.13.1, whose torch.__version__ says 1.13.0a0) to regenerate torch.json:

    /usr/bin/python3 src/test/resources/dev/sinew/optimizers/torch_golden.py \
        > src/test/resources/dev/sinew/optimizers/torch.json

torch computes in float64 here, from the float32-rounded weights and gradients: the values are the
algorithm's exact maths as torch writes it, so the Java test's tolerance measures Sinew's float32
rounding plus any difference in the algorithm, not torch's own float32 rounding.

Where Keras and torch coincide, and how the cases are made to:
  SGD       momentum and Nesterov: Keras keeps m = momentum*m - lr*g, torch buf = momentum*buf + g;
            with a constant learning rate m = -lr*buf, so the weights are the same.
  Adam      torch adds eps to sqrt(v)/sqrt(1 - beta_2^t), Keras ("epsilon hat") to sqrt(v) with the
            correction folded into the step: they coincide only at epsilon = 0, used here.
            amsgrad: both keep the running max of v.
  AdamW     as Adam (epsilon = 0), torch's p *= 1 - lr*wd before the step is Keras's w -= w*wd*lr;
            Sinew skips biases, so the torch bias is in a param group with weight_decay = 0.
  RMSprop   torch: sqrt(v) + eps, Keras: sqrt(v + epsilon): epsilon = 0. Keras's momentum buffer
            holds lr*g/sqrt(v), torch's g/sqrt(v) and torch multiplies by lr after: the same for a
            constant lr. Centered: both use v - a^2.
  Adagrad   torch: sqrt(acc) + eps, Keras: sqrt(acc + epsilon): epsilon = 0; both start acc at
            initial_accumulator_value (torch's default is 0, Keras's 0.1: set explicitly).
  Adadelta  the same formula, epsilon inside both square roots: compared at any epsilon.
  Adamax    torch: u = max(beta_2*u, |g| + eps) and divides by u; Keras: u = max(beta_2*u, |g|) and
            divides by u + epsilon: epsilon = 0.

Skipped, and why:
  Nadam     torch 1.13's NAdam computes mu_product_next = mu_product * mu * mu_next, counting mu
            twice (fixed in torch 2.0, pytorch/pytorch#92699); with that fix and momentum_decay=1.0
            it is Keras's Nadam (Keras's schedule is 0.96^t, torch's 0.96^(t*momentum_decay)), but
            the installed torch cannot show it.
  Lion      not in torch.optim.
  weight_decay on SGD, Adam, RMSprop, ...: torch's weight_decay adds wd*w to the gradient (L2),
            Keras's is decoupled (w -= w*wd*lr); only AdamW's coincide.
  clipnorm, global_clipnorm, clipvalue, use_ema: not torch.optim options (torch.nn.utils's
            clip_grad_norm_ also adds 1e-6 to the norm).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import BIAS, GRADS, KERNEL, f32  # noqa: E402

# (name, Keras class, Keras config, torch optimizer, torch arguments, bias weight_decay override)
CASES = [
    ("sgd_momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9},
     torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
     torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adam_eps0", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 0.0},
     torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 0.0}),
    ("adam_amsgrad_eps0", "Adam", {"learning_rate": 0.01, "amsgrad": True, "epsilon": 0.0},
     torch.optim.Adam, {"lr": 0.01, "amsgrad": True, "eps": 0.0}),
    ("adamw_eps0", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "epsilon": 0.0},
     torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1, "eps": 0.0}),
    ("rmsprop_eps0", "RMSprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.0},
     torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 0.0}),
    ("rmsprop_momentum_eps0", "RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.9, "epsilon": 0.0},
     torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.8, "momentum": 0.9, "eps": 0.0}),
    ("rmsprop_centered_eps0", "RMSprop", {"learning_rate": 0.01, "centered": True, "epsilon": 0.0},
     torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "centered": True, "eps": 0.0}),
    ("rmsprop_centered_momentum_eps0", "RMSprop",
     {"learning_rate": 0.005, "rho": 0.95, "momentum": 0.5, "centered": True, "epsilon": 0.0},
     torch.optim.RMSprop, {"lr": 0.005, "alpha": 0.95, "momentum": 0.5, "centered": True, "eps": 0.0}),
    ("adagrad_eps0", "Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.1, "epsilon": 0.0},
     torch.optim.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 0.0}),
    ("adagrad_zero_init_eps0", "Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.0, "epsilon": 0.0},
     torch.optim.Adagrad, {"lr": 0.05, "initial_accumulator_value": 0.0, "eps": 0.0}),
    ("adadelta_keras_defaults", "Adadelta", {},
     torch.optim.Adadelta, {"lr": 0.001, "rho": 0.95, "eps": 1e-7}),
    ("adadelta_lr1", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
     torch.optim.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("adamax_eps0", "Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 0.0},
     torch.optim.Adamax, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 0.0}),
]


def run(optimizer, args, steps=5):
    kernel = torch.tensor([f32(x) for x in KERNEL], dtype=torch.float64, requires_grad=True)
    bias = torch.tensor([f32(x) for x in BIAS], dtype=torch.float64, requires_grad=True)
    args = dict(args)
    wd = args.pop("weight_decay", 0.0)
    # Sinew (as its Keras-style exclusion) never decays biases.
    opt = optimizer([{"params": [kernel], "weight_decay": wd}, {"params": [bias], "weight_decay": 0.0}], **args)
    out = []
    for it in range(steps):
        gk, gb = GRADS[it]
        kernel.grad = torch.tensor([f32(x) for x in gk], dtype=torch.float64)
        bias.grad = torch.tensor([f32(x) for x in gb], dtype=torch.float64)
        opt.step()
        out.append([kernel.detach().tolist(), bias.detach().tolist()])
    return out


def describe(optimizer, args):
    return "torch.optim.%s(%s)" % (optimizer.__name__, ", ".join("%s=%r" % kv for kv in args.items()))


if __name__ == "__main__":
    result = {"torch_version": torch.__version__, "dtype": "float64", "kernel": KERNEL, "bias": BIAS, "grads": GRADS,
              "cases": []}
    for name, cls, cfg, optimizer, args in CASES:
        result["cases"].append({"name": name, "class_name": cls, "config": cfg, "torch": describe(optimizer, args),
                                "steps": run(optimizer, args)})
    print(json.dumps(result, indent=1))

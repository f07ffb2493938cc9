#!/usr/bin/env python3
"""Reference values for LearningRateScheduleTest: Keras 3's learning-rate schedules, step by step.

Each function below transcribes __call__ of the class of the same name in
keras/src/optimizers/schedules/learning_rate_schedule.py, operation for operation, in Python
floats (double precision; Keras computes in the dtype of initial_learning_rate, float32 by
default, so Keras's own values differ from these by float32 rounding, ~1e-7 relative). Pure
Python, no Keras needed. Run it to regenerate schedules.json:

    python3 src/test/resources/dev/sinew/optimizers/schedules.py > src/test/resources/dev/sinew/optimizers/schedules.json

Each case is a Keras config (class_name + get_config() with Keras's defaults filled in), the steps
it is evaluated at (step 0 is the optimizer's first update, boundaries and the end of each decay
included) and the values there.
"""
import json
import math
from fractions import Fraction


def exponential_decay(c, step):
    p = step / c["decay_steps"]
    if c["staircase"]:
        p = math.floor(p)
    return c["initial_learning_rate"] * math.pow(c["decay_rate"], p)


def piecewise_constant_decay(c, step):
    b, v = c["boundaries"], c["values"]
    # As Keras: the sum of value * [step in range] over the ranges.
    result = 0.0
    result += float(step <= b[0]) * v[0]
    result += float(step > b[-1]) * v[-1]
    for low, high, value in zip(b[:-1], b[1:], v[1:-1]):
        result += float(low < step <= high) * value
    return result


def polynomial_decay(c, step):
    s = float(step)
    d = float(c["decay_steps"])
    if c["cycle"]:
        multiplier = 1.0 if s == 0 else math.ceil(s / c["decay_steps"])
        d = d * multiplier
    else:
        s = min(s, d)
    p = s / d
    return (c["initial_learning_rate"] - c["end_learning_rate"]) * math.pow(1 - p, c["power"]) + c["end_learning_rate"]


def inverse_time_decay(c, step):
    p = step / c["decay_steps"]
    if c["staircase"]:
        p = math.floor(p)
    return c["initial_learning_rate"] / (1 + c["decay_rate"] * p)


def _cosine(step, decay_steps, decay_from_lr, alpha):
    completed_fraction = step / decay_steps
    cosine_decayed = 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return decay_from_lr * decayed


def cosine_decay(c, step):
    s = float(step)
    d = float(c["decay_steps"])
    if c["warmup_target"] is None:
        return _cosine(min(s, d), d, c["initial_learning_rate"], c["alpha"])
    w = float(c["warmup_steps"])
    s = min(s, d + w)
    if s < w:
        completed_fraction = s / w
        total_step_delta = c["warmup_target"] - c["initial_learning_rate"]
        return total_step_delta * completed_fraction + c["initial_learning_rate"]
    return _cosine(s - w, d, c["warmup_target"], c["alpha"])


def cosine_decay_restarts(c, step):
    t_mul, m_mul, alpha = c["t_mul"], c["m_mul"], c["alpha"]
    completed_fraction = step / c["first_decay_steps"]
    if t_mul == 1.0:
        i_restart = math.floor(completed_fraction)
        completed_fraction -= i_restart
    else:
        i_restart = math.floor(math.log(1.0 - completed_fraction * (1.0 - t_mul)) / math.log(t_mul))
        # The period index must be exact for the values below to be the function Keras means;
        # check it with exact arithmetic (the steps below are chosen so that it is).
        f, t = Fraction(step, c["first_decay_steps"]), Fraction(t_mul)
        exact = 0
        while (1 - t ** (exact + 1)) / (1 - t) <= f:
            exact += 1
        assert exact == i_restart, (c, step, i_restart, exact)
        sum_r = (1.0 - math.pow(t_mul, i_restart)) / (1.0 - t_mul)
        completed_fraction = (completed_fraction - sum_r) / math.pow(t_mul, i_restart)
    m_fac = math.pow(m_mul, i_restart)
    cosine_decayed = 0.5 * m_fac * (1.0 + math.cos(math.pi * completed_fraction))
    decayed = (1 - alpha) * cosine_decayed + alpha
    return c["initial_learning_rate"] * decayed


FORMULAS = {
    "ExponentialDecay": exponential_decay,
    "PiecewiseConstantDecay": piecewise_constant_decay,
    "PolynomialDecay": polynomial_decay,
    "InverseTimeDecay": inverse_time_decay,
    "CosineDecay": cosine_decay,
    "CosineDecayRestarts": cosine_decay_restarts,
}

CASES = [
    ("exponential", "ExponentialDecay",
     dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=False, name="ExponentialDecay"),
     [0, 1, 5, 9, 10, 11, 25, 100, 1000]),
    ("exponential_staircase", "ExponentialDecay",
     dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True, name="ExponentialDecay"),
     [0, 1, 9, 10, 11, 19, 20, 25, 100]),
    # Every step from 0: OptimizerScheduleTest steps an optimizer through these.
    ("exponential_for_optimizer", "ExponentialDecay",
     dict(initial_learning_rate=0.2, decay_steps=3, decay_rate=0.25, staircase=True, name="ExponentialDecay"),
     list(range(12))),
    ("piecewise", "PiecewiseConstantDecay",
     dict(boundaries=[5, 10], values=[1.0, 0.5, 0.1], name="PiecewiseConstant"),
     [0, 4, 5, 6, 9, 10, 11, 1000]),
    ("piecewise_one_boundary", "PiecewiseConstantDecay",
     dict(boundaries=[3], values=[0.2, 0.02], name="PiecewiseConstant"),
     [0, 3, 4, 50]),
    ("polynomial_defaults", "PolynomialDecay",
     dict(initial_learning_rate=0.1, decay_steps=10, end_learning_rate=0.0001, power=1.0, cycle=False,
          name="PolynomialDecay"),
     [0, 1, 5, 9, 10, 11, 100]),
    ("polynomial_sqrt", "PolynomialDecay",
     dict(initial_learning_rate=0.1, decay_steps=10, end_learning_rate=0.001, power=0.5, cycle=False,
          name="PolynomialDecay"),
     [0, 1, 5, 9, 10, 50]),
    ("polynomial_cycle", "PolynomialDecay",
     dict(initial_learning_rate=0.1, decay_steps=10, end_learning_rate=0.01, power=2.0, cycle=True,
          name="PolynomialDecay"),
     [0, 1, 5, 10, 11, 15, 20, 21, 35]),
    ("inverse_time", "InverseTimeDecay",
     dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5, staircase=False, name="InverseTimeDecay"),
     [0, 1, 3, 4, 5, 8, 100]),
    ("inverse_time_staircase", "InverseTimeDecay",
     dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5, staircase=True, name="InverseTimeDecay"),
     [0, 1, 3, 4, 5, 7, 8, 100]),
    ("cosine", "CosineDecay",
     dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.0, name="CosineDecay", warmup_target=None,
          warmup_steps=0),
     [0, 1, 5, 10, 15, 19, 20, 21, 100]),
    ("cosine_alpha", "CosineDecay",
     dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.1, name="CosineDecay", warmup_target=None,
          warmup_steps=0),
     [0, 7, 10, 20, 30]),
    # warmup_steps without warmup_target: ignored, as in Keras.
    ("cosine_steps_without_target", "CosineDecay",
     dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.0, name="CosineDecay", warmup_target=None,
          warmup_steps=5),
     [0, 3, 10, 20]),
    ("cosine_warmup", "CosineDecay",
     dict(initial_learning_rate=0.0, decay_steps=20, alpha=0.05, name="CosineDecay", warmup_target=0.2,
          warmup_steps=5),
     [0, 1, 2, 4, 5, 6, 15, 24, 25, 26, 100]),
    ("cosine_warmup_zero_steps", "CosineDecay",
     dict(initial_learning_rate=0.01, decay_steps=10, alpha=0.0, name="CosineDecay", warmup_target=0.1,
          warmup_steps=0),
     [0, 5, 10, 11]),
    ("restarts_defaults", "CosineDecayRestarts",
     dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"),
     [0, 1, 5, 9, 10, 11, 20, 29, 30, 31, 69, 70, 75, 150, 1000]),
    ("restarts_constant_periods", "CosineDecayRestarts",
     dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=1.0, m_mul=0.5, alpha=0.1, name="SGDRDecay"),
     [0, 5, 9, 10, 15, 20, 25, 33]),
    ("restarts_fractional", "CosineDecayRestarts",
     dict(initial_learning_rate=1.0, first_decay_steps=4, t_mul=1.5, m_mul=0.8, alpha=0.0, name="SGDRDecay"),
     [0, 1, 3, 4, 5, 9, 10, 11, 18, 19, 30]),
]


def main():
    cases = []
    for name, cls, config, steps in CASES:
        f = FORMULAS[cls]
        cases.append({"name": name, "class_name": cls, "config": config, "steps": steps,
                      "values": [f(config, s) for s in steps]})
    print(json.dumps({"cases": cases}, indent=1))


if __name__ == "__main__":
    main()

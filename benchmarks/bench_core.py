"""How fast is ``Network.step``? Compared with hand-written NumPy and with PyTorch eager.

Run ``python benchmarks/bench_core.py`` (about 20-30 s) or ``--quick`` (a few seconds, a
smoke run whose numbers are noisy). It prints the machine, a check that the three
implementations compute the same losses, a table of SGD steps per second with the
targets, the chain-rule timings, and the same tables in markdown for the README.

Nothing here asserts on time: it is a measurement, not a test.

- **package**: ``net.step(X, T, lr)`` of ``backprop_widgets`` (input checks included).
- **numpy**: a minimal hand-written loop for the same net: forward, backward, update.
  The floor: what a good NumPy programmer writes in twenty lines, nothing fancy.
- **torch**: PyTorch eager on the CPU, float64, plain leaf tensors updated in place under
  ``no_grad`` (at the 2-2-2 size ``torch.optim.SGD`` is 1.3-1.5x slower: we compare
  with the faster one), the same losses (``binary_cross_entropy_with_logits``,
  ``cross_entropy`` with probability targets, ``mse_loss``, and 1/2 sum of squares),
  ``loss.item()`` returned like the package.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import backprop_widgets as bw
from backprop_widgets.core import datasets

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the comparison columns are skipped
    torch = None

# Targets (the package's step against each baseline, in steps per second)
NUMPY_TARGET = 0.8  # package >= 0.8x the hand-written NumPy loop, everywhere
TORCH_TARGET_TINY = 5.0  # package >= 5x torch on the 2-2-2 example (Python overhead dominates)
TORCH_TARGET = 1.0  # package >= 1x torch elsewhere
CHAIN_RULE_TARGET_MS = 20.0


# ----------------------------------------------------------------------------- the cases


@dataclass
class Case:
    label: str
    net: object  # a fresh bw.Network with its initial weights
    X: np.ndarray
    T: np.ndarray
    lr: float
    torch_target: float
    package_args: tuple | None = None  # (x, t) as a user passes them, if not (X, T)


def make_cases() -> list[Case]:
    cases = []

    net, x, t = bw.presets.mazur()
    cases.append(
        Case(
            "2-2-2 Mazur, batch 1", net, x.reshape(1, -1), t.reshape(1, -1), 0.5,
            TORCH_TARGET_TINY, package_args=(x, t),
        )
    )  # fmt: skip

    X, T = datasets.moons(512, seed=0)
    net = bw.Network([2, 16, 16, 1], activation=["tanh", "tanh", "sigmoid"], loss="bce", seed=0)
    cases.append(Case("[2,16,16,1] tanh/bce, moons 512", net, X, T, 0.5, TORCH_TARGET))

    rng = np.random.default_rng(0)
    X = rng.random((128, 784))  # pixel-like intensities in [0, 1)
    T = datasets.one_hot(rng.integers(0, 10, 128), 10)
    net = bw.Network(
        [784, 128, 10], activation=["sigmoid", "softmax"], loss="cross_entropy", seed=0
    )
    cases.append(Case("[784,128,10] sigmoid/softmax CE, batch 128", net, X, T, 0.1, TORCH_TARGET))

    X, T = datasets.spiral(1024, seed=0)  # regress the 0/1 arm label with a linear output
    net = bw.Network(
        [2, 64, 64, 64, 1], activation=["tanh", "tanh", "tanh", "linear"], loss="mse", seed=0
    )
    cases.append(Case("[2,64,64,64,1] tanh/mse, 1024 points", net, X, T, 0.05, TORCH_TARGET))
    return cases


def initial_parameters(net):
    """Copies of the weights and per-layer biases, and whether each layer's bias is tied."""
    tied = net.bias_mode in ("per_layer", "shared")
    weights = [np.array(W, dtype=np.float64) for W in net.weights]
    # a tied bias is one number per layer: keep it as shape (1,) so it gets one summed gradient
    biases = [np.array(b[:1] if tied else b, dtype=np.float64) for b in net.biases]
    if net.bias_mode == "shared":
        raise NotImplementedError("the baselines do not model one bias shared across layers")
    return weights, biases, tied


# ------------------------------------------------------------- hand-written NumPy floor


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z) without overflow warnings


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACT = {"sigmoid": _sigmoid, "tanh": np.tanh, "linear": lambda z: z, "softmax": _softmax}
DACT = {  # derivative written with the activation's output a
    "sigmoid": lambda a: a * (1.0 - a),
    "tanh": lambda a: 1.0 - a * a,
    "linear": lambda a: 1.0,
}


class NumpyMLP:
    """The same network in plain NumPy. ``step`` returns the loss before the update."""

    def __init__(self, net):
        self.W, self.b, self.tied = initial_parameters(net)
        self.act = net.activation
        self.loss = net.loss_name

    def step(self, X, T, lr):
        acts = [X]
        for W, b, f in zip(self.W, self.b, self.act, strict=True):
            z = acts[-1] @ W.T + b
            acts.append(ACT[f](z))
        y, n = acts[-1], X.shape[0]
        # loss and dL/dz at the output (z is the output layer's net input)
        if self.loss == "bce":  # sigmoid output: -[t log y + (1-t) log(1-y)] = softplus(z) - t z
            loss = np.mean(np.logaddexp(0.0, z) - T * z)
            delta = (y - T) / y.size
        elif self.loss == "cross_entropy":  # softmax output: -sum t log y, log y = z - logsumexp z
            zmax = z.max(axis=1, keepdims=True)
            log_y = z - zmax - np.log(np.exp(z - zmax).sum(axis=1, keepdims=True))
            loss = -np.sum(T * log_y) / n
            delta = (y - T) / n
        elif self.loss == "mse":
            loss = np.mean((y - T) ** 2)
            delta = 2.0 * (y - T) / y.size * DACT[self.act[-1]](y)
        else:  # half_sse
            loss = 0.5 * np.sum((y - T) ** 2) / n
            delta = (y - T) / n * DACT[self.act[-1]](y)
        for layer in range(len(self.W) - 1, -1, -1):
            grad_W = delta.T @ acts[layer]
            grad_b = delta.sum(axis=0)
            if self.tied:
                grad_b = grad_b.sum(keepdims=True)
            if layer:  # propagate with the weights before their update
                delta = (delta @ self.W[layer]) * DACT[self.act[layer - 1]](acts[layer])
            self.W[layer] -= lr * grad_W
            self.b[layer] -= lr * grad_b
        return float(loss)


# ------------------------------------------------------------------------ PyTorch eager


class TorchMLP:
    """The same network in PyTorch eager, float64. ``step`` returns ``loss.item()``."""

    def __init__(self, net):
        weights, biases, self.tied = initial_parameters(net)
        self.W = [torch.tensor(W, requires_grad=True) for W in weights]
        self.b = [torch.tensor(b, requires_grad=True) for b in biases]
        self.params = self.W + self.b
        self.act = net.activation
        self.loss_name = net.loss_name
        self.fn = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}

    def logits(self, X):
        a = X
        last = len(self.W) - 1
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            # F.linear wants a bias of shape (n_out,): add a tied one by broadcasting
            z = F.linear(a, W) + b if self.tied else F.linear(a, W, b)
            if layer == last:
                return z
            a = self.fn[self.act[layer]](z)
        raise AssertionError("unreachable")

    def loss(self, z, T):
        if self.loss_name == "bce":
            return F.binary_cross_entropy_with_logits(z, T)
        if self.loss_name == "cross_entropy":
            return F.cross_entropy(z, T)  # probability targets: mean over samples of -sum t log y
        y = z if self.act[-1] == "linear" else self.fn[self.act[-1]](z)
        if self.loss_name == "mse":
            return F.mse_loss(y, T)
        return 0.5 * ((y - T) ** 2).sum(dim=1).mean()  # half_sse

    def step(self, X, T, lr):
        for p in self.params:
            p.grad = None
        loss = self.loss(self.logits(X), T)
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p.sub_(p.grad, alpha=lr)
        return loss.item()


# ------------------------------------------------------------------------------ timing


def steppers(case: Case):
    """name -> a zero-argument function doing one SGD step, each on its own copy of the net."""
    net = case.net.copy()
    X, T, lr = case.X, case.T, case.lr
    x_pkg, t_pkg = case.package_args or (X, T)  # the 2-2-2 example: net.step(x, t, lr), 1-D
    out = {"package": lambda: net.step(x_pkg, t_pkg, lr)}
    mlp = NumpyMLP(case.net)
    out["numpy"] = lambda: mlp.step(X, T, lr)
    if torch is not None:
        tm = TorchMLP(case.net)
        Xt, Tt = torch.from_numpy(X.copy()), torch.from_numpy(T.copy())
        out["torch"] = lambda: tm.step(Xt, Tt, lr)
    return out


def calibrate(fn, seconds: float) -> int:
    """How many calls take about `seconds` (also serves as the warm-up)."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds / 4 or count >= 1 << 22:
            return max(1, int(count * seconds / max(elapsed, 1e-9)))
        count *= 4


def steps_per_second(funcs: dict, seconds: float, repeats: int) -> dict[str, list[float]]:
    """Steps/s of `repeats` fixed-count loops per function.

    The functions take turns within each repeat, so a burst of load from another process
    hits neighbouring loops alike; ratios are taken repeat by repeat (see `paired_ratio`).
    """
    counts = {name: calibrate(fn, seconds) for name, fn in funcs.items()}
    rates: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, fn in funcs.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                fn()
            rates[name].append(n / (time.perf_counter() - start))
    return rates


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median over repeats of a[i] / b[i]: steadier than a ratio of medians on a busy machine."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


# ----------------------------------------------------------------------------- reports


def machine_info() -> list[str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"CPU: {cpu}; {os.cpu_count()} logical CPUs",
        f"numpy {np.__version__}; backprop_widgets {bw.__version__}",
    ]
    try:
        from threadpoolctl import threadpool_info

        pools = [
            " ".join(str(p[key]) for key in ("internal_api", "version") if p.get(key))
            + f" (num_threads={p.get('num_threads')})"
            for p in threadpool_info()
        ]
        lines.append("BLAS/OpenMP pools (threadpoolctl): " + ("; ".join(pools) or "none found"))
    except ImportError:
        lines.append("BLAS threads: unknown (pip install threadpoolctl to see them)")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        busy = load > 0.5 * (os.cpu_count() or 1)
        lines.append(
            f"load average (1 min) before the run: {load:.2f}"
            + (
                "  <- other processes are busy: expect noisy numbers, try --threads 1"
                if busy
                else ""
            )
        )
    if torch is None:
        lines.append(
            "torch: not installed, its columns are skipped. Get the CPU build with "
            "`pip install torch==2.13.0` (or `pip install -e '.[bench]'`)"
        )
    else:
        lines.append(
            f"torch {torch.__version__}; torch.get_num_threads() = {torch.get_num_threads()} "
            "(its default unless --threads is given)"
        )
    return lines


def limit_threads(n: int) -> list[str]:
    """Cap the BLAS/OpenMP pools and torch at n threads, and say what was done."""
    notes = []
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n)  # kept for the whole run: the returned object is not a guard
        notes.append(f"--threads {n}: BLAS/OpenMP pools limited to {n} thread(s)")
    except ImportError:
        notes.append(
            f"--threads {n}: threadpoolctl is not installed, BLAS threads left as they are "
            f"(set OPENBLAS_NUM_THREADS={n} OMP_NUM_THREADS={n} before starting instead)"
        )
    if torch is not None:
        torch.set_num_threads(n)
        notes.append(f"--threads {n}: torch.set_num_threads({n})")
    return notes


def check_same_losses(cases: list[Case]) -> list[str]:
    """From identical weights, the loss after 3 steps (returned by the 4th) must agree."""
    lines = []
    for case in cases:
        funcs = steppers(case)
        after = {name: [fn() for _ in range(4)][-1] for name, fn in funcs.items()}
        ref = after["package"]
        worst = max(abs(v - ref) / max(abs(ref), 1e-300) for v in after.values())
        verdict = "agree" if worst < 1e-9 else "DISAGREE"
        shown = ", ".join(f"{name} {v:.15g}" for name, v in after.items())
        lines.append(f"  {case.label}: {shown}  (max rel. diff {worst:.1e}: {verdict})")
    return lines


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (noisy numbers)")
    parser.add_argument(
        "--seconds", type=float, default=None, help="length of one timed loop (default 0.25)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed loops per entry (7)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS, OpenMP and torch to this many threads (default: leave them as they are)",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (0.02 if args.quick else 0.15)
    repeats = args.repeats or (3 if args.quick else 7)
    started = time.perf_counter()
    notes = limit_threads(args.threads) if args.threads else []

    print(
        "backprop_widgets core benchmark" + (" (--quick: smoke run, noisy)" if args.quick else "")
    )
    for line in machine_info() + notes:
        print("  " + line)
    print()

    cases = make_cases()
    print("Loss after 3 SGD steps from identical initial weights:")
    for line in check_same_losses(cases):
        print(line)
    print()

    rows = []
    for case in cases:
        rates = steps_per_second(steppers(case), seconds, repeats)
        pkg, ref_np = statistics.median(rates["package"]), statistics.median(rates["numpy"])
        ref_torch = statistics.median(rates["torch"]) if "torch" in rates else None
        vs_np = paired_ratio(rates["package"], rates["numpy"])
        vs_torch = None if ref_torch is None else paired_ratio(rates["package"], rates["torch"])
        ok = vs_np >= NUMPY_TARGET and (vs_torch is None or vs_torch >= case.torch_target)
        target = f">= {NUMPY_TARGET}x numpy, >= {case.torch_target:g}x torch"
        rows.append([
            case.label, fmt_rate(pkg), fmt_rate(ref_np), fmt_rate(ref_torch),
            fmt_ratio(vs_np), fmt_ratio(vs_torch), target,
            ("PASS" if ok else "MISS") + ("" if ref_torch is not None else " (no torch)"),
        ])  # fmt: skip
    header = [
        "case", "package steps/s", "numpy steps/s", "torch steps/s",
        "package/numpy", "package/torch", "target", "result",
    ]  # fmt: skip

    chain_net = bw.Network([4, 8, 8, 8, 2], seed=0)
    rng = np.random.default_rng(1)
    x, t = rng.uniform(-1, 1, 4), rng.uniform(0, 1, 2)
    chain_rows = []
    for level in ("neuron", "pre-activation"):
        cr = chain_net.chain_rule("w1", x, t, level=level)
        ms = median_ms(
            lambda lv=level: chain_net.chain_rule("w1", x, t, level=lv), 3 if args.quick else 15
        )
        chain_rows.append([
            f'[4,8,8,8,2] chain_rule("w1", level="{level}")', f"{len(cr.paths)}",
            f"{ms:.2f} ms", f"< {CHAIN_RULE_TARGET_MS:g} ms",
            "PASS" if ms < CHAIN_RULE_TARGET_MS else "MISS",
        ])  # fmt: skip
    chain_header = ["call", "paths", "median time", "target", "result"]

    print(
        f"SGD steps per second: median of {repeats} loops of ~{seconds:g} s each after warm-up; "
        "ratios are medians of the per-loop ratios"
    )
    print(plain_table(header, rows))
    print()
    print("chain_rule, one example:")
    print(plain_table(chain_header, chain_rows))
    print()
    print("Markdown for the README:")
    print()
    print(markdown_table(header, rows))
    print()
    print(markdown_table(chain_header, chain_rows))
    print()
    print(f"({time.perf_counter() - started:.1f} s in all)")
    return 0


def plain_table(header, rows) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    numeric = [i > 0 and all(str(r[i])[:1].isdigit() or r[i] == "n/a" for r in rows)
               for i in range(len(header))]  # fmt: skip
    lines = []
    for r in [header, *rows]:
        cells = [
            str(c).rjust(w) if num and r is not header else str(c).ljust(w)
            for c, w, num in zip(r, widths, numeric, strict=True)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if r is header:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

"""A small PyTorch scalar computation read from its ``grad_fn`` chain, as Values.

Duck-typed: PyTorch is not imported here (the core needs NumPy only). The reader walks
``result.grad_fn`` and its ``next_functions``, names each leaf (an ``AccumulateGrad``'s
``variable``) after the keyword it was passed as, and rebuilds every operation as the
registry's (:mod:`.ops`), which computes each value again. The numbers of the operations
come from what PyTorch saved for its backward pass (``_saved_other``, ``_saved_exponent``,
``_saved_alpha``); the number added in ``x + 1`` is not saved (its gradient does not need
it), so it is read off the value of ``x + 1`` where a later operation saved that value.
"""

from __future__ import annotations

import math

from .errors import BackpropInputError
from .value import Value

# the grad_fn types this reader understands, and what each is in the registry
ACCEPTED = {
    "AddBackward0": "x + y", "AddBackward1": "x + number",
    "SubBackward0": "x - y", "SubBackward1": "x - number",
    "RsubBackward0": "torch.rsub(x, y)", "RsubBackward1": "number - x",
    "MulBackward0": "x * y", "MulBackward1": "x * number",
    "DivBackward0": "x / y", "DivBackward1": "x / number",
    "NegBackward0": "-x", "PowBackward0": "x ** number", "PowBackward1": "x ** constant tensor",
    "ReciprocalBackward0": "1 / x", "SqrtBackward0": "x.sqrt()",
    "ExpBackward0": "x.exp()", "LogBackward0": "x.log()", "SigmoidBackward0": "x.sigmoid()",
    "TanhBackward0": "x.tanh()", "ReluBackward0": "x.relu()", "GeluBackward0": "gelu(x)",
}  # fmt: skip

# the input value a backward function saved, per input slot, where it saved one
_SAVED_INPUT = {
    "MulBackward0": ("_saved_self", "_saved_other"),
    "DivBackward0": ("_saved_self", "_saved_other"),
    "PowBackward0": ("_saved_self",),
    "PowBackward1": ("_saved_self", "_saved_exponent"),
    "LogBackward0": ("_saved_self",),
    "GeluBackward0": ("_saved_self",),
}
# the input value, from the output a backward function saved (its inverse), where the
# inverse keeps the digits: not where sigmoid or tanh saturate (1 - y loses them)
_FROM_RESULT = {
    "ExpBackward0": lambda y: math.log(y) if y > 0 else None,
    "SigmoidBackward0": lambda y: math.log(y / (1.0 - y)) if 0.01 < y < 0.99 else None,
    "TanhBackward0": lambda y: math.atanh(y) if abs(y) < 0.99 else None,
    "ReluBackward0": lambda y: y if y > 0 else None,
    "ReciprocalBackward0": lambda y: 1.0 / y if y else None,
    "SqrtBackward0": lambda y: y * y,
}
_EPS = {"float64": 2.0**-52, "float32": 2.0**-23, "bfloat16": 2.0**-7, "float16": 2.0**-10}


def from_torch(result, leaves: dict) -> Value:
    """Rebuild a scalar PyTorch tensor's autograd graph as Values, leaves named by ``leaves``."""
    _check_scalar(result, "result")
    if getattr(result, "grad_fn", None) is None:
        raise BackpropInputError(
            "result has no grad_fn: PyTorch recorded no computation. Create the leaves with "
            "requires_grad=True (x = torch.tensor(-2.0, requires_grad=True)) and compute result from them"
        )
    reader = _Reader(result, leaves)
    end = reader.read()
    expected = float(result.item())
    if not math.isclose(end.data, expected, rel_tol=reader.tolerance, abs_tol=reader.tolerance):
        hint = ""
        if reader.eps > _EPS["float64"]:
            hint = " (PyTorch computed in lower precision: use dtype=torch.float64)"
        raise BackpropInputError(
            f"the graph read from result computes {end.data!r}, but result.item() is {expected!r}{hint}"
        )
    return end


class _Reader:
    def __init__(self, result, leaves: dict):
        self.result = result
        dtype = str(getattr(result, "dtype", "float32")).removeprefix("torch.")
        self.eps = _EPS.get(dtype, _EPS["float32"])
        self.tolerance = max(1e-9, 1e4 * self.eps)
        self.leaf_names: dict[int, str] = {}  # id(tensor) -> name
        self.node_names: dict[int, str] = {}  # id(grad_fn) -> name
        for name, tensor in leaves.items():
            _check_scalar(tensor, name)
            if not getattr(tensor, "requires_grad", False):
                raise BackpropInputError(
                    f"{name} does not require grad, so PyTorch kept no record of it: create it with "
                    f"requires_grad=True ({name} = torch.tensor({_number(tensor)!r}, requires_grad=True))"
                )
            fn = getattr(tensor, "grad_fn", None)
            if fn is None:
                self.leaf_names[id(tensor)] = name
            else:
                self.node_names[id(fn)] = name

    def read(self) -> Value:
        order, self.consumers = _post_order(self.result.grad_fn)
        built: dict[int, Value] = {}
        for fn in order:
            kind = type(fn).__name__
            if kind == "AccumulateGrad":
                built[id(fn)] = self._leaf(fn)
                continue
            if kind not in ACCEPTED:
                raise BackpropInputError(
                    f"{kind} is not an operation from_torch reads; it reads scalar "
                    + ", ".join(f"{v} ({k})" for k, v in ACCEPTED.items())
                )
            inputs = [built[id(f)] if f is not None else None for f, _ in fn.next_functions]
            out = self._operation(fn, kind, inputs)
            if id(fn) in self.node_names:
                out.named(self.node_names[id(fn)])
            built[id(fn)] = out
        unused = set(self.leaf_names.values()) | set(self.node_names.values())
        unused -= {v.name for v in built.values()}
        if unused:
            raise BackpropInputError(
                f"{', '.join(sorted(unused))} {'is' if len(unused) == 1 else 'are'} not part of result's "
                "computation: pass only the tensors result was computed from"
            )
        return built[id(self.result.grad_fn)]

    def _leaf(self, fn) -> Value:
        tensor = fn.variable
        name = self.leaf_names.get(id(tensor))
        if name is None:
            named = ", ".join(self.leaf_names.values()) or "none"
            users = ", ".join(sorted({type(c).__name__ for c, _ in self.consumers.get(id(fn), ())}))
            raise BackpropInputError(
                f"the leaf tensor({_number(tensor)!r}, requires_grad=True) that enters {users} has no "
                f"name: pass every leaf as a keyword, Graph.from_torch(f, x=x, y=y); named: {named}"
            )
        _check_scalar(tensor, name)
        return Value(_number(tensor), name)

    def _operation(self, fn, kind: str, inputs: list) -> Value:
        a = inputs[0]
        b = inputs[1] if len(inputs) > 1 else None
        if kind.startswith(("Add", "Sub", "Rsub")):
            return self._sum(fn, kind, a, b)
        if kind in ("MulBackward0", "DivBackward0"):  # a plain number in either place is saved
            a = _number(_saved(fn, "_saved_self")) if a is None else a
            b = _number(_saved(fn, "_saved_other")) if b is None else b
            return a * b if kind == "MulBackward0" else a / b
        if kind in ("MulBackward1", "DivBackward1"):
            other = _number(_saved(fn, "_saved_other"))
            return a * other if kind == "MulBackward1" else a / other
        if kind in ("PowBackward0", "PowBackward1"):
            if a is None or b is not None:
                raise BackpropInputError(
                    "PowBackward1 (x ** y) with a tensor exponent that requires grad: the registry's "
                    "power has a constant exponent; write x ** 2 (a plain number) or (y * x.log()).exp()"
                )
            return a ** _number(_saved(fn, "_saved_exponent"))
        if kind == "NegBackward0":
            return -a
        if kind == "ReciprocalBackward0":
            return a**-1
        if kind == "SqrtBackward0":
            return a**0.5
        if kind == "GeluBackward0":
            return a.gelu(approximate=str(_saved(fn, "_saved_approximate")))
        return getattr(a, kind.removesuffix("Backward0").lower())()  # exp log sigmoid tanh relu

    def _sum(self, fn, kind: str, a, b) -> Value:
        """a + alpha b, a - alpha b, and rsub's b - alpha a; a plain number in them is not
        saved by PyTorch, so it is read off the output's value."""
        alpha = _number(_saved(fn, "_saved_alpha")) if hasattr(fn, "_saved_alpha") else 1.0

        def scaled(v):
            return v if alpha == 1.0 else v * alpha

        if kind.startswith("Rsub"):  # torch.rsub(a, b) = b - alpha a; 2 - x is rsub(x, 2)
            a, b, kind = b, a, "SubBackward0"
        if a is not None and b is not None:
            return a + scaled(b) if kind.startswith("Add") else a - scaled(b)
        if kind.startswith("Add"):
            if a is None:
                return self._constant(fn, lambda out: out - alpha * b.data, "added to") + scaled(b)
            return a + self._constant(fn, lambda out: out - a.data, "added to")
        if a is None:
            number = self._constant(fn, lambda out: out + alpha * b.data, "subtracted from")
            return number - scaled(b)
        return a - self._constant(fn, lambda out: a.data - out, "subtracted from")

    def _constant(self, fn, from_output, verb: str) -> float:
        """The number ``verb`` a tensor in ``fn``, from fn's output value (PyTorch kept no copy)."""
        out = self._observed(fn)
        if out is None:
            raise BackpropInputError(
                f"{type(fn).__name__}: PyTorch keeps no copy of a plain number {verb} a tensor (its "
                "gradient does not need it), and no later operation saved the result. Make the number "
                "a leaf instead, c = torch.tensor(1.0, requires_grad=True), and pass it by name: "
                "Graph.from_torch(f, ..., c=c)"
            )
        raw = from_output(out)
        # the shortest number within rounding of it: 1, not 0.9999999999999998
        slack = 64 * self.eps * max(abs(out), abs(raw), abs(out - raw))
        for digits in range(1, 18):
            short = float(f"{raw:.{digits}g}")
            if abs(short - raw) <= slack:
                return short
        return raw

    def _observed(self, fn) -> float | None:
        """The output value of fn, where the end or a later operation saved it."""
        if fn is self.result.grad_fn:
            return float(self.result.item())
        for consumer, slot in self.consumers.get(id(fn), ()):
            kind = type(consumer).__name__
            value = None
            if slot < len(_SAVED_INPUT.get(kind, ())):
                saved = _saved(consumer, _SAVED_INPUT[kind][slot])
                value = _number(saved) if saved is not None else None
            elif kind in _FROM_RESULT:
                try:
                    value = _FROM_RESULT[kind](_number(_saved(consumer, "_saved_result")))
                except (ArithmeticError, ValueError):
                    value = None
            if value is not None and math.isfinite(value):
                return value
        return None


def _post_order(root):
    """The backward functions below root, each after its inputs; and who consumes each."""
    order, seen, stack = [], set(), [(root, False)]
    consumers: dict[int, list] = {}
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.append((fn, True))
        for slot, (child, _) in reversed(list(enumerate(fn.next_functions))):
            if child is not None:
                consumers.setdefault(id(child), []).append((fn, slot))
                if id(child) not in seen:
                    stack.append((child, False))
    return order, consumers


def _saved(fn, attr: str):
    try:
        return getattr(fn, attr)
    except RuntimeError:  # PyTorch frees saved tensors when .backward() runs
        raise BackpropInputError(
            f"{type(fn).__name__}: PyTorch freed what it saved for the backward pass when .backward() "
            "ran. Call Graph.from_torch before .backward(), or use .backward(retain_graph=True)"
        ) from None


def _number(x) -> float:
    return float(x.item()) if hasattr(x, "item") else float(x)


def _check_scalar(tensor, name: str) -> None:
    if not (hasattr(tensor, "numel") and hasattr(tensor, "item")):
        raise BackpropInputError(f"{name} must be a PyTorch tensor; got {type(tensor).__name__}")
    if tensor.numel() != 1:
        raise BackpropInputError(
            f"{name} must be a scalar tensor (one number, as torch.tensor(2.0)); got shape "
            f"{tuple(tensor.shape)}: from_torch reads a computation on single numbers"
        )

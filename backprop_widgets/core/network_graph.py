"""A network for one example as a :class:`~.graph.Graph`, at one of three levels.

- ``"neuron"``: one node per neuron (``i1 -> h1 -> o1 -> L``); the local derivative
  do1/dh1 is σ′(net_o1)·w5, the activation's slope times the weight.
- ``"pre-activation"``: each neuron split into its net input and its activation
  (``i1 -> net_h1 -> h1 -> net_o1 -> o1 -> L``), as in the classic 2-2-2 walkthrough.
- ``"operation"``: every multiply of a net input its own node (``w1_i1`` = w1·i1) and
  the net input the add of them and the bias: micrograd's view of the same network.

Parameters are leaves: a weight is an independent variable that enters exactly one net
input, so its only edge goes *into* the graph. That is why a factor such as dw7/dh1
can never appear in a chain-rule product. All three levels are built from one forward
pass of the network, so every number they share is the same.
"""

from __future__ import annotations

from . import validation
from .errors import BackpropInputError
from .graph import NETWORK_LEVELS, Graph, Node
from .notation import LOSS_NODE, NET_PREFIX


def build(graph: Graph, net, x, t, level: str) -> None:
    """Fill ``graph`` with ``net``'s graph for one example (x, t) at ``level``."""
    validation.one_of(level, NETWORK_LEVELS, "level")
    A, single = net.checked_inputs(x, "x")
    if not single and A.shape[0] != 1:
        raise BackpropInputError(
            f"x must be one example (shape ({net.sizes[0]},)) for the chain rule; got shape {A.shape}"
        )
    T = net.checked_targets(t, 1, "t")
    net = net.copy()  # a snapshot: later changes to the network do not change this graph
    zs, acts = net.forward_cache(A)
    names = net.node_names
    n_layers = len(net.sizes) - 1
    entering = _parameters_entering(net, acts)

    nodes = [Node(n, "input", float(v)) for n, v in zip(names[0], acts[0][0])]
    nodes += [Node(p, "parameter", float(net[p])) for p in net.parameter_names]
    layers = dict.fromkeys(names[0], 0) | dict.fromkeys(net.parameter_names, 0)
    for layer in range(1, n_layers + 1):
        W = net.weights[layer - 1]
        z, a = zs[layer - 1][0], acts[layer][0]
        act = net.layer_activation(layer)
        J = act.jacobian(z, a)
        here, below = names[layer], names[layer - 1]
        new: list[Node] = []
        if level == "neuron":
            JW = J @ W
            for k, neuron in enumerate(here):
                routes = [k] if act.elementwise else range(len(here))
                params: dict[str, float] = {}
                for i in routes:
                    for p, dz in entering[layer][i]:
                        params[p] = params.get(p, 0.0) + float(J[k, i] * dz)
                new.append(
                    Node(
                        neuron, "neuron", float(a[k]), act.name,
                        (*below, *params), (*JW[k], *params.values()),
                    )
                )  # fmt: skip
        else:
            for i, neuron in enumerate(here):
                net_name = NET_PREFIX + neuron
                if level == "pre-activation":
                    inputs = (*below, *(p for p, _ in entering[layer][i]))
                    local = (*W[i], *(dz for _, dz in entering[layer][i]))
                    new.append(Node(net_name, "net", float(z[i]), "add", inputs, local))
                else:
                    terms = []
                    for p, dz in entering[layer][i]:
                        source = _source_of(net, p)
                        if source is None:  # a bias enters the add itself
                            terms.append(p)
                            continue
                        product = f"{p}_{source}"
                        new.append(
                            Node(
                                product, "operation", float(net[p] * dz), "multiply",
                                (p, source), (float(dz), float(net[p])),
                            )
                        )  # fmt: skip
                        layers[product] = layer
                        terms.append(product)
                    new.append(
                        Node(net_name, "net", float(z[i]), "add", tuple(terms), (1.0,) * len(terms))
                    )
                layers[net_name] = layer
            nets = [NET_PREFIX + n for n in here]
            for k, neuron in enumerate(here):
                if act.elementwise:
                    new.append(
                        Node(neuron, "neuron", float(a[k]), act.name, (nets[k],), (float(J[k, k]),))
                    )
                else:
                    new.append(
                        Node(
                            neuron,
                            "neuron",
                            float(a[k]),
                            act.name,
                            tuple(nets),
                            tuple(map(float, J[k])),
                            {"index": k},
                        )
                    )
        for node in new:
            layers.setdefault(node.name, layer)
        nodes += new
    loss = net.loss_of(zs, acts, T)
    dL_dy = net.loss_function.grad_output(acts[-1], T)[0]
    nodes.append(
        Node(
            LOSS_NODE, "loss", float(loss), net.loss_name, tuple(names[-1]), tuple(map(float, dL_dy)),
            {"targets": tuple(map(float, T[0]))},
        )
    )  # fmt: skip
    layers[LOSS_NODE] = n_layers + 1
    graph._assemble(nodes, LOSS_NODE, level, net=net)
    graph.x, graph.t, graph.loss = A[0].copy(), T[0].copy(), float(loss)
    graph._layer_cache = layers


def _parameters_entering(net, acts) -> list[list[list[tuple[str, float]]]]:
    """entering[layer][i]: (parameter, d net_i / d parameter) for each parameter in net_i,
    in the order of the network's parameter names."""
    out = [[[] for _ in range(size)] for size in net.sizes]
    for name, entries in zip(net.parameter_names, net.parameter_entries):
        for layer, i, src in entries:
            dz = 1.0 if src is None else float(acts[layer - 1][0][src])
            out[layer][i].append((name, dz))
    return out


def _source_of(net, parameter: str) -> str | None:
    """The neuron a weight reads from; None for a bias."""
    return net.parameter_info(parameter).source

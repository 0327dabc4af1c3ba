"""A network as JSON text and back: the architecture and every parameter, floats exact."""

from __future__ import annotations

import json

from .errors import BackpropInputError, short_list

JSON_FORMAT = "backprop-widgets/network"
JSON_VERSION = 1


def to_json(net) -> str:
    return json.dumps(
        {
            "format": JSON_FORMAT,
            "version": JSON_VERSION,
            "sizes": net.sizes,
            "activation": net.activation,
            "loss": net.loss_name,
            "bias": net.bias_mode,
            "node_names": net.node_names,
            "target_names": net.target_names,
            "parameters": net.parameters(),
            "frozen": net.frozen,
        },
        indent=1,
    )


def from_json(network_class, text: str):
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise BackpropInputError(f"text must be JSON written by Network.to_json(); {exc}") from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise BackpropInputError(
            f"text must be JSON written by Network.to_json() (format {JSON_FORMAT!r}); "
            f"got format {data.get('format') if isinstance(data, dict) else type(data).__name__!r}"
        )
    if data.get("version") != JSON_VERSION:
        raise BackpropInputError(
            f"network JSON version {data.get('version')!r} is not supported; accepted: {JSON_VERSION}"
        )
    net = network_class(
        data["sizes"],
        activation=data["activation"],
        loss=data["loss"],
        bias=data["bias"],
        node_names=data.get("node_names"),
        target_names=data.get("target_names"),
    )
    params = data.get("parameters", {})
    missing = [n for n in net.parameter_names if n not in params]
    if missing:
        raise BackpropInputError(f"network JSON lacks parameters: {short_list(missing)}")
    net.set_parameters(params)
    net.freeze(*data.get("frozen", []))
    return net

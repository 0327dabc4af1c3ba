"""A stand-in for the kernel's comm, so tests can count the messages a widget sends."""

import traitlets
from ipywidgets import Widget

# ipywidgets 8.0.0-8.0.4 (pyproject allows 8.0; `make test-oldest` runs them) accept only
# ipykernel's Comm in a widget's comm trait; later versions accept any object.
if isinstance(Widget.class_traits()["comm"], traitlets.Instance):
    from ipykernel.comm import Comm as _Base
else:
    _Base = object


class RecordingComm(_Base):
    """Records the names of the state keys of each update a widget sends."""

    kernel = True
    comm_id = "recording"

    def __init__(self):  # never opened: there is no kernel to open it with
        self.updates = []

    def on_msg(self, callback):
        pass

    def send(self, data=None, buffers=None):
        self.updates.append(sorted(data["state"]))

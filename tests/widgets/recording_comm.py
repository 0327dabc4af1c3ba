"""A stand-in for the kernel's comm, so tests can count the messages a widget sends."""


class RecordingComm:
    """Records the names of the state keys of each update a widget sends."""

    kernel = True
    comm_id = "recording"

    def __init__(self):
        self.updates = []

    def on_msg(self, callback):
        pass

    def send(self, data=None, buffers=None):
        self.updates.append(sorted(data["state"]))

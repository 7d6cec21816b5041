"""The HTTP side of a node: the quart-trio app, its routes, the ``/ws`` gateway and serving."""

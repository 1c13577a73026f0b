"""micrograd: a tiny scalar autograd engine, and the versions that led to it.

* `micrograd.versions`: the snapshots v1 to v8 of `Value`, one per chapter
  of the book, each a standalone file.
* `micrograd.engine`: the complete `Value`, compatible with the reference
  micrograd's API; `micrograd.nn`: `Neuron`, `Layer`, `MLP`;
  `micrograd.viz`: `trace` and `draw_dot`.
* `micrograd.examples`: the neuron that chapters 4 to 8 build, for any
  version of `Value` from v4 on.

Run `python -m micrograd --help` for the command line.
"""

__version__ = "0.1.0"

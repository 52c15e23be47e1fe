"""Numpy ``Generator`` draws without numpy's per-call overhead, value for value the same.

The simulation makes millions of scalar draws, and ``Generator.random()``, ``integers()`` and
``choice(n, p=...)`` spend most of their time handling arguments. ``Draws`` reads the
Generator's own bit generator through its ctypes interface instead, so each draw consumes
exactly the stream values the Generator method would and interleaves freely with the
Generator's other methods (which ``Draws`` passes through); ``cdf`` does the same for
``choice(n, p=...)``. tests/python/test_generator.py checks all of them against numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np


class Draws:
    """A numpy Generator whose scalar ``random()`` and ``integers()`` are two to three times faster."""

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator  # also keeps the bit generator, and so its state, alive
        interface = generator.bit_generator.ctypes
        # ``Generator.random()`` is one ``next_double`` of the bit generator.
        self.random: Callable[[], float] = partial(interface.next_double, interface.state)
        self._next_uint32: Callable[[], int] = partial(interface.next_uint32, interface.state)
        self.randoms = generator.random  # arrays: randoms(n) gives the values of n random() in a row
        # Every other draw is the Generator's own.
        self.poisson = generator.poisson
        self.exponential = generator.exponential
        self.lognormal = generator.lognormal
        self.normal = generator.normal
        self.gamma = generator.gamma
        self.beta = generator.beta
        self.dirichlet = generator.dirichlet
        self.choice = generator.choice

    def integers(self, low: int, high: int | None = None) -> int:
        """``int(Generator.integers(low, high))``: numpy's Lemire rejection on 32-bit draws.

        The bit generator hands out 32-bit draws in halves of its 64-bit ones, remembering the
        spare half in its own state, so these interleave with the Generator's own draws exactly.
        """
        if high is None:
            low, high = 0, low
        n = high - low
        if 1 < n <= 0xFFFFFFFF:
            m = self._next_uint32() * n
            if m & 0xFFFFFFFF < n:
                threshold = (0x100000000 - n) % n
                while m & 0xFFFFFFFF < threshold:
                    m = self._next_uint32() * n
            return low + (m >> 32)
        if n == 1:
            return low  # numpy draws nothing for a single value
        return int(self.generator.integers(low, high))  # no values (numpy raises), or 2**32 and more


def cdf(p: Sequence[float] | np.ndarray) -> list[float]:
    """The cumulative weights that ``Generator.choice(n, p=p)`` searches.

    ``choice(n, p=p)`` draws one ``random()`` and returns ``searchsorted(cdf, u, side="right")``,
    so ``bisect_right(cdf(p), draws.random())`` consumes the same draw and picks the same index,
    without choice's per-call checks (ten times faster). The arithmetic is choice's, bit for bit.
    """
    out = np.asarray(p, dtype=np.float64).cumsum()
    out /= out[-1]
    return out.tolist()  # type: ignore[no-any-return]

r"""Random streams identical to R's defaults (Mersenne-Twister, Inversion).

MaAsLin3's median comparison draws normal deviates after ``set.seed(1)``; to
reproduce its p-values bit for bit the same stream is needed. R's documented
defaults (``?RNG``) are used:

* **seeding** (``set.seed(s)``): the 32-bit seed is scrambled by 50 steps of
  :math:`s \leftarrow 69069 s + 1 \pmod{2^{32}}`; 625 further steps fill the
  generator's seed vector, whose first word is the position (set to 624, i.e.
  "regenerate before the next draw") and whose other 624 words are the
  Mersenne-Twister state (Matsumoto & Nishimura 1998);
* **uniforms**: a 32-bit output times :math:`2.3283064365386963\times10^{-10}`,
  moved inside (0, 1) if it falls on an end;
* **normals** ("Inversion"): :math:`u = \lfloor 2^{27} u_1 \rfloor + u_2`,
  :math:`z = \Phi^{-1}(u / 2^{27})` with two consecutive uniforms.

The state lives in a :class:`numpy.random.MT19937` owned by the caller-visible
:class:`RStream`; nothing global is touched.

>>> s = RStream(1)
>>> s.normal(3).round(7).tolist()
[-0.6264538, 0.1836433, -0.8356286]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = ["RStream"]

FloatArray = npt.NDArray[np.float64]

_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1)
_BIG = 134217728.0  # 2^27


class RStream:
    """R's default random stream after ``set.seed(seed)``.

    >>> RStream(1).uniform(3).round(7).tolist()
    [0.2655087, 0.3721239, 0.5728534]
    """

    def __init__(self, seed: int) -> None:
        s = int(seed) & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        words = np.empty(625, dtype=np.uint32)
        for j in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            words[j] = s
        self._bits = np.random.MT19937()
        self._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": words[1:], "pos": 624},
        }

    def uniform(self, size: int) -> FloatArray:
        """``runif(size)``."""
        raw = self._bits.random_raw(size).astype(np.float64) * 2.3283064365386963e-10
        raw = np.where(raw <= 0.0, 0.5 * _I2_32M1, raw)
        out: FloatArray = np.where(1.0 - raw <= 0.0, 1.0 - 0.5 * _I2_32M1, raw)
        return out

    def normal(self, size: int) -> FloatArray:
        """``rnorm(size)`` (Inversion: two uniforms per deviate)."""
        u = self.uniform(2 * size).reshape(size, 2)
        v = np.floor(_BIG * u[:, 0]) + u[:, 1]
        out: FloatArray = special.ndtri(v / _BIG)
        return out

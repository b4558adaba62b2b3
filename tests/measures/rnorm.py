"""R's default random numbers (Mersenne-Twister seeded by ``set.seed``, normals by inversion), so the tests
can rebuild NHSRplotthedots' test data (``set.seed(123); rnorm(20)``) exactly instead of copying it."""

from statistics import NormalDist

N, M = 624, 397
BIG = 134217728  # 2^27: R joins two uniforms for a normal's precision
ONE_OVER = 2.3283064365386963e-10  # 1 / 2^32
_normal = NormalDist()


class RRandom:
    def __init__(self, seed: int):
        seed &= 0xFFFFFFFF
        for _ in range(50):  # R's initial scrambling
            seed = (69069 * seed + 1) & 0xFFFFFFFF
        state = []
        for _ in range(N + 1):
            seed = (69069 * seed + 1) & 0xFFFFFFFF
            state.append(seed)
        self.mt = state[1:]  # state[0] is R's position slot, set to N (regenerate on first use)
        self.mti = N

    def _next(self) -> float:
        mt = self.mt
        if self.mti >= N:
            for k in range(N):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7FFFFFFF)
                mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.mti = 0
        y = mt[self.mti]
        self.mti += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return min(max(y * ONE_OVER, 0.5 * ONE_OVER), 1 - 0.5 * ONE_OVER)

    def rnorm(self, n: int, mean: float = 0.0, sd: float = 1.0) -> list[float]:
        out = []
        for _ in range(n):
            u = int(BIG * self._next()) + self._next()
            out.append(mean + sd * _normal.inv_cdf(u / BIG))
        return out

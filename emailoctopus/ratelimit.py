"""Client-side token bucket, so that a sync stays inside EmailOctopus's published limit.

The API allows a bucket of 100 requests refilled at 10 per second. Spending our own tokens first
means a normal run never meets a 429; the server's 429 handling in the client is the backstop.
"""

import threading
import time

CAPACITY = 100
REFILL_PER_SECOND = 10.0


class TokenBucket:
    """`acquire()` takes one token, sleeping until one is available.

    `clock` and `sleep` are injectable so that tests can drive time by hand.
    """

    def __init__(
        self,
        *,
        capacity=CAPACITY,
        refill_per_second=REFILL_PER_SECOND,
        clock=time.monotonic,
        sleep=time.sleep,
    ):
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._updated_at = clock()
        self._lock = threading.Lock()

    def _refill(self):
        now = self._clock()
        elapsed = max(0.0, now - self._updated_at)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.refill_per_second)
        self._updated_at = now

    def acquire(self):
        """Take one token; returns the seconds spent waiting for it."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                wait = (1 - self._tokens) / self.refill_per_second
            self._sleep(wait)
            waited += wait

    def drain(self):
        """Empty the bucket: the server said we are over the limit, so our count was optimistic."""
        with self._lock:
            self._refill()
            self._tokens = 0.0

    @property
    def tokens(self):
        with self._lock:
            self._refill()
            return self._tokens

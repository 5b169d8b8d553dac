"""Environments kept for reuse: a few blank ones pre-spawned (so a cold start only pays for
importing the learner's code), and warm ones per function fingerprint (so globals and /tmp
persist between invokes, as on Lambda). Bounded in number, expired when idle."""

from __future__ import annotations

import threading
import time

from studyapp.sandbox.runtime.environment import EnvironmentDied, ExecutionEnvironment, SpawnSpec

MIB = 1024 * 1024
READY_TIMEOUT_S = 10


class PoolExhausted(Exception):
    pass


class EnvironmentPool:
    def __init__(
        self,
        spec: SpawnSpec,
        *,
        blank_target: int,
        max_environments: int,
        idle_expiry_s: float,
        uid_base: int | None,
        default_memory_mb: int = 128,
    ):
        self.spec = spec
        self.blank_target = blank_target
        self.max_environments = max_environments
        self.idle_expiry_s = idle_expiry_s
        self.uid_base = uid_base
        self.default_memory_bytes = default_memory_mb * MIB
        self._lock = threading.Lock()
        self._blank: list[ExecutionEnvironment] = []
        self._idle: dict[str, list[ExecutionEnvironment]] = {}
        self._busy: set[ExecutionEnvironment] = set()
        self._spawning = 0
        self._free_slots = list(range(max_environments + blank_target))
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._maintain, name="sandbox-pool", daemon=True)
        self._thread.start()

    # -- taking and giving back -------------------------------------------------------------

    def take_warm(self, fingerprint: str) -> ExecutionEnvironment | None:
        with self._lock:
            idle = self._idle.get(fingerprint)
            while idle:
                env = idle.pop()  # most recently used first, as Lambda tends to do
                if not env.dead:
                    self._busy.add(env)
                    env.freeze(False)
                    return env
            return None

    def take_blank(self, runtime=None) -> ExecutionEnvironment:
        """A ready environment of the server's default runtime, or one spawned now (another
        runtime's environments are spawned on demand: only the default is kept pre-spawned)."""
        if runtime is not None and runtime.prefix is not None:
            with self._lock:
                slot = self._claim_slot_locked()
            env = self._spawn(slot, runtime)
            with self._lock:
                self._busy.add(env)
            return env
        with self._lock:
            while self._blank:
                env = self._blank.pop(0)
                if not env.dead:
                    self._busy.add(env)
                    self._wake.set()
                    return env
            slot = self._claim_slot_locked()
        env = self._spawn(slot)  # none ready: pay the spawn on the request path
        with self._lock:
            self._busy.add(env)
        self._wake.set()
        return env

    def give_back(self, env: ExecutionEnvironment) -> None:
        with self._lock:
            self._busy.discard(env)
            if env.dead or env.fingerprint is None or self._closed:
                dead = True
            else:
                env.last_used = time.monotonic()
                env.freeze(True)  # like Lambda: nothing runs between invokes
                self._idle.setdefault(env.fingerprint, []).append(env)
                dead = False
        if dead:
            self.destroy(env)

    def destroy(self, env: ExecutionEnvironment) -> None:
        env.kill()
        with self._lock:
            self._busy.discard(env)
            for idle in self._idle.values():
                if env in idle:
                    idle.remove(env)
            self._release_slot_locked(env)
        self._wake.set()

    def _release_slot_locked(self, env: ExecutionEnvironment) -> None:
        # Once per environment: a second destroy must not free a slot another one now holds.
        if not env.slot_released:
            env.slot_released = True
            self._free_slots.append(env.slot)

    def reset(self, fingerprint: str) -> int:
        """Kill the idle environments of one function: its next invoke is cold."""
        with self._lock:
            envs = self._idle.pop(fingerprint, [])
        for env in envs:
            self.destroy(env)
        return len(envs)

    # -- slots, spawning, upkeep ------------------------------------------------------------

    def make_room(self, needed_bytes: int, headroom) -> bool:
        """Destroy idle environments, least recently used first, until `headroom()` (bytes the
        memory budget can still give, None when there is no budget) covers `needed_bytes`.
        False: every environment is busy and the budget is still short."""
        while True:
            free = headroom()
            if free is None or free >= needed_bytes:
                return True
            with self._lock:
                victim = self._oldest_idle_locked()
                if victim is not None:
                    self._idle[victim.fingerprint].remove(victim)
            if victim is None:
                return False
            self.destroy(victim)

    def _claim_slot_locked(self) -> int:
        if not self._free_slots:
            victim = self._oldest_idle_locked()
            if victim is None:
                raise PoolExhausted("every execution environment is busy")
            self._idle[victim.fingerprint].remove(victim)
            victim.kill()
            self._release_slot_locked(victim)
        return self._free_slots.pop(0)

    def _oldest_idle_locked(self) -> ExecutionEnvironment | None:
        candidates = [env for idle in self._idle.values() for env in idle]
        return min(candidates, key=lambda env: env.last_used, default=None)

    def _spawn(self, slot: int, runtime=None) -> ExecutionEnvironment:
        uid = self.uid_base + slot if self.uid_base is not None else None
        env = ExecutionEnvironment(self.spec, slot, uid, runtime)
        try:
            env.spawn(self.default_memory_bytes)
            env.wait_ready(READY_TIMEOUT_S)
        except Exception:
            env.kill()
            with self._lock:
                self._free_slots.append(slot)
            raise
        return env

    def _maintain(self) -> None:
        while not self._closed:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._closed:
                break
            self._expire_idle()
            self._top_up_blank()

    def _expire_idle(self) -> None:
        cutoff = time.monotonic() - self.idle_expiry_s
        with self._lock:  # taken out of the idle lists first, so no invoke can pick one up meanwhile
            expired = [env for idle in self._idle.values() for env in idle if env.last_used < cutoff]
            for idle in self._idle.values():
                idle[:] = [env for env in idle if env not in expired]
        for env in expired:
            self.destroy(env)

    def _top_up_blank(self) -> None:
        while not self._closed:
            with self._lock:
                if len(self._blank) + self._spawning >= self.blank_target:
                    return
                # A blank environment never evicts a warm one: only free slots are used.
                if len(self._free_slots) <= 0:
                    return
                slot = self._free_slots.pop(0)
                self._spawning += 1
            try:
                env = self._spawn(slot)
            except (EnvironmentDied, OSError, RuntimeError):
                with self._lock:
                    self._spawning -= 1
                time.sleep(0.5)
                return
            with self._lock:
                self._spawning -= 1
                if self._closed:
                    env.kill()
                    return
                self._blank.append(env)

    def warm_up(self, timeout_s: float = 10) -> None:
        """Block until the blank environments are ready (tests and benchmarks)."""
        deadline = time.monotonic() + timeout_s
        self._wake.set()
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._blank) >= self.blank_target:
                    return
            time.sleep(0.005)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "blank": len(self._blank),
                "idle": sum(len(idle) for idle in self._idle.values()),
                "busy": len(self._busy),
            }

    def all_environments(self) -> list[ExecutionEnvironment]:
        with self._lock:
            return [*self._blank, *(env for idle in self._idle.values() for env in idle), *self._busy]

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._wake.set()
        self._thread.join(timeout=5)
        for env in self.all_environments():
            env.kill()
        with self._lock:
            self._blank.clear()
            self._idle.clear()
            self._busy.clear()

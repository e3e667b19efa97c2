"""Gymnasium envs for the bridge tests (test/envs/gymnasium-bridge.test.ts), registered on import.

Used as gymnasium:gym_test_envs:WnrlTest/<Name>-v0 with this folder on the bridge's sys.path.
"""
import math
import os
import sys
import time

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class Spaces(gym.Env):
    """A Dict observation (MultiDiscrete, MultiBinary, Box) and a Discrete(3, start=-1) action."""

    def __init__(self):
        self.observation_space = spaces.Dict({
            "grid": spaces.MultiDiscrete([3, 4]),
            "bits": spaces.MultiBinary(2),
            "x": spaces.Box(-1.0, 1.0, (2,), np.float32),
        })
        self.action_space = spaces.Discrete(3, start=-1)
        self.t = 0

    def _obs(self):
        return {"grid": np.array([self.t % 3, (self.t + 1) % 4]), "bits": np.array([self.t % 2, 1], np.int8),
                "x": np.array([0.5, -0.25], np.float32)}

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        assert action in (-1, 0, 1), action
        self.t += 1
        return self._obs(), float(action), self.t >= 4, False, {"action_seen": int(action)}


class MultiDiscreteObs(gym.Env):
    """A top-level MultiDiscrete observation with start offsets, and a Box action."""

    def __init__(self):
        self.observation_space = spaces.MultiDiscrete([2, 3], start=[1, -1])
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.array([2, -1]), {}

    def step(self, action):
        return np.array([1, 1]), float(np.sum(action)), False, False, {}


class Misbehaving(gym.Env):
    """Prints on every step, and on `fail_at` dies (os._exit), sleeps, or raises, as `mode` says."""

    def __init__(self, mode="print", fail_at=3):
        self.observation_space = spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.action_space = spaces.Discrete(2)
        self.mode, self.fail_at, self.t = mode, fail_at, 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        print("reset chatter on stdout")
        return np.zeros(1, np.float32), {}

    def step(self, action):
        self.t += 1
        print(f"step {self.t} chatter on stdout", flush=True)
        sys.stderr.write(f"step {self.t} chatter on stderr\n")
        if self.t == self.fail_at:
            if self.mode == "die":
                sys.stderr.write("about to die\n")
                sys.stderr.flush()
                os._exit(3)
            if self.mode == "sleep":
                time.sleep(30)
            if self.mode == "raise":
                raise ValueError("the env refused this step")
            if self.mode == "nan":
                return np.zeros(1, np.float32), float("nan"), False, False, {}
        return np.zeros(1, np.float32), 1.0, False, self.t % 10 == 0, {}


class Painted(gym.Env):
    """A walk on a line of 9 cells, drawn with numpy alone (no pygame): a red column where the walker is."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(self, render_mode=None):
        self.observation_space = spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.action_space = spaces.Discrete(2)
        self.render_mode = render_mode
        self.pos = 4

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos = int(self.np_random.integers(2, 7))
        return np.array([(self.pos - 4) / 4], np.float32), {}

    def step(self, action):
        self.pos += 1 if action == 1 else -1
        done = self.pos in (0, 8)
        return np.array([(self.pos - 4) / 4], np.float32), 1.0 if self.pos == 8 else 0.0, done, False, {}

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        frame = np.full((30, 90, 3), 255, np.uint8)
        frame[:, self.pos * 10:self.pos * 10 + 10] = (200, 30, 30)
        return frame


class Glide(gym.Env):
    """A deterministic glider with a twin in test/envs/bridge-wrappers.test.ts (same arithmetic in float64,
    observations rounded to float32, rewards multiples of 1/1024): both sides of the bridge, given one
    wrapper stack and one seed, must produce the same observations and rewards, bit for bit."""

    def __init__(self):
        self.observation_space = spaces.Box(-np.inf, np.inf, (3,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.pos, self.vel, self.t = 0.0, 0.0, 0

    def _obs(self):
        return np.array([self.pos, self.vel, self.t / 10], np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos, self.vel, self.t = 0.0, 0.0, 0
        return self._obs(), {}

    def step(self, action):
        a = float(action[0])
        self.vel = 0.9 * self.vel + 0.2 * a
        self.pos += self.vel
        self.t += 1
        reward = math.floor((1 - abs(self.pos) / 4 + 0.1 * a) * 1024 + 0.5) / 1024
        return self._obs(), reward, abs(self.pos) > 2, False, {}


gym.register("WnrlTest/Glide-v0", entry_point=Glide, max_episode_steps=30)
gym.register("WnrlTest/Painted-v0", entry_point=Painted, max_episode_steps=50)
gym.register("WnrlTest/Spaces-v0", entry_point=Spaces)
gym.register("WnrlTest/MultiDiscreteObs-v0", entry_point=MultiDiscreteObs)
gym.register("WnrlTest/Misbehaving-v0", entry_point=Misbehaving)

"""Steps/s of Gymnasium's own SyncVectorEnv (same-step autoreset), random actions: the baseline the
Gymnasium bridge is compared with (bench/gymnasium-bridge.ts). Prints one JSON line.
Usage: python gymnasium_vector_speed.py ENV_ID NUM_ENVS STEPS SEED
"""
import json
import sys
import time

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv

env_id, n, steps, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
env = SyncVectorEnv([lambda: gym.make(env_id) for _ in range(n)], autoreset_mode=AutoresetMode.SAME_STEP)
env.reset(seed=seed)
rng = np.random.default_rng(seed)
space = env.single_action_space
if isinstance(space, gym.spaces.Discrete):
    def actions():
        return rng.integers(0, space.n, n)
else:  # Box (MuJoCo): uniform within the bounds, float32 as an agent sends them
    def actions():
        return rng.uniform(space.low, space.high, (n,) + space.shape).astype(np.float32)
for _ in range(200):  # warm-up
    env.step(actions())
t0 = time.perf_counter()
for _ in range(steps):
    env.step(actions())
seconds = time.perf_counter() - t0
print(json.dumps({"vector_steps_per_second": steps / seconds, "env_steps_per_second": steps * n / seconds}))

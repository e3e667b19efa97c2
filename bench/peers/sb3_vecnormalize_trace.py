"""SB3's VecNormalize on one Gymnasium env driven by a fixed action sequence: the peer side of
bench/vecnormalize-trace.ts, which steps wnrl's bridged env with the same normalization wrappers, seed and
actions and compares what the agent would see. Reads one JSON argument:

  {"env": "Hopper-v5", "seed": 1, "steps": 5000, "gamma": 0.99, "maxEpisodeSteps": null}

The actions are uniform in the action space's bounds from numpy's default_rng(seed), float32. Prints one
JSON line: {actions, observations (normalized, what the agent acts on next: the reset observation where an
episode ended), rewards (normalized), dones, truncated, finalObservations (normalized, null where no
episode ended), returnVar (the reward normalizer's final variance)}."""
import json
import sys

import gymnasium as gym
import numpy as np
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize


def main(case):
    kwargs = {} if case.get("maxEpisodeSteps") is None else {"max_episode_steps": case["maxEpisodeSteps"]}
    env = VecNormalize(make_vec_env(lambda: gym.make(case["env"], **kwargs), n_envs=1, seed=case["seed"]), gamma=case["gamma"])
    space = env.action_space
    rng = np.random.default_rng(case["seed"])
    actions = rng.uniform(space.low, space.high, size=(case["steps"], space.shape[0])).astype(np.float32)
    out = dict(actions=actions.tolist(), observations=[env.reset()[0].tolist()], rewards=[], dones=[], truncated=[], finalObservations=[])
    for a in actions:
        obs, reward, done, info = env.step(a[None, :])
        out["observations"].append(obs[0].tolist())
        out["rewards"].append(float(reward[0]))
        out["dones"].append(bool(done[0]))
        out["truncated"].append(bool(info[0].get("TimeLimit.truncated", False)))
        out["finalObservations"].append(info[0]["terminal_observation"].tolist() if done[0] else None)
    out["returnVar"] = float(env.ret_rms.var)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

"""The peer side of bench/parity.ts: one Stable-Baselines3 / sb3-contrib run with a case's exact settings
(the RL Zoo's), torch on one thread. Reads one JSON argument:

  {"algo": "ppo" | "a2c" | "dqn" | "recurrentppo", "env": "CartPole-v1", "noVel": false, "seed": 1,
   "steps": 100000, "nEnvs": 8, "normalize": null | {"obs": true, "reward": true, "gamma": 0.98},
   "hyper": {...constructor keyword arguments...}, "schedules": {"learning_rate": "lin", ...},
   "policyKwargs": {..., "activation_fn": "relu" | "tanh"}, "evalEpisodes": 20, "logDir": null}

and prints one JSON line: {wallSeconds, episodes: [[step, return, seconds], ...] (every training episode, the
step counted when it ended, the seconds since training started), evalReturnMean}. A "lin" schedule is the Zoo's lin_<value>: the value times
the remaining progress. With "logDir", SB3's own training statistics (train/approx_kl, train/std, ... per
rollout) go to <logDir>/progress.csv, to set beside a wnrl run's metrics.csv.

Needs torch, gymnasium, stable-baselines3 and sb3-contrib in the Python that runs it (bench/README.md
says how this machine got them)."""
import json
import sys
import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.logger import configure
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import VecNormalize


class NoVelocity(gym.ObservationWrapper):
    """The Zoo's CartPoleNoVel: velocities (indices 1 and 3) multiplied by 0."""

    def observation(self, obs):
        return obs * np.array([1, 0, 1, 0], dtype=obs.dtype)


class Episodes(BaseCallback):
    def __init__(self):
        super().__init__()
        self.episodes = []
        self.t0 = time.perf_counter()

    def _on_training_start(self):
        self.t0 = time.perf_counter()

    def _on_step(self):
        for info in self.locals["infos"]:
            if "episode" in info:
                self.episodes.append([int(self.num_timesteps), float(info["episode"]["r"]), time.perf_counter() - self.t0])
        return True


def main(case):
    torch.set_num_threads(1)
    seed = case["seed"]
    env_id = case["env"]
    make = (lambda: NoVelocity(gym.make(env_id))) if case.get("noVel") else (lambda: gym.make(env_id))
    env = make_vec_env(make, n_envs=case["nEnvs"], seed=seed)
    norm = case.get("normalize")
    if norm:
        env = VecNormalize(env, norm_obs=norm["obs"], norm_reward=norm["reward"], gamma=norm["gamma"])
    hyper = dict(case["hyper"])
    for key, kind in case.get("schedules", {}).items():
        if kind == "lin":
            hyper[key] = LinearSchedule(hyper[key], 0, 1)
    policy_kwargs = dict(case.get("policyKwargs", {}))
    if "activation_fn" in policy_kwargs:
        policy_kwargs["activation_fn"] = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[policy_kwargs["activation_fn"]]
    algo = case["algo"]
    if algo == "recurrentppo":
        from sb3_contrib import RecurrentPPO

        cls, policy = RecurrentPPO, "MlpLstmPolicy"
    else:
        cls, policy = {"ppo": PPO, "a2c": A2C, "dqn": DQN}[algo], "MlpPolicy"
    model = cls(policy, env, policy_kwargs=policy_kwargs, seed=seed, verbose=0, **hyper)
    if case.get("logDir"):
        model.set_logger(configure(case["logDir"], ["csv"]))
    cb = Episodes()
    t0 = time.perf_counter()
    model.learn(case["steps"], callback=cb)
    wall = time.perf_counter() - t0
    if norm:
        env.training, env.norm_reward = False, False
    mean, _ = evaluate_policy(model, env, n_eval_episodes=case.get("evalEpisodes", 20), deterministic=True)
    print(json.dumps(dict(wallSeconds=wall, episodes=cb.episodes, evalReturnMean=float(mean))), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

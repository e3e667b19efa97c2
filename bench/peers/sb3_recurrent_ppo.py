"""sb3-contrib's RecurrentPPO on CartPoleNoVel-v1 with the RL Zoo's ppo_lstm.yml settings, for the
side-by-side timing in bench/recurrent.ts. One torch thread. Prints one JSON line:
{seed, totalSteps, wallSeconds, secondsToThreshold, stepsToThreshold, evalReturnMean}, where the
threshold is wnrl's: the mean of the last 20 training episodes reaching 475.

Needs torch, gymnasium, stable-baselines3 and sb3-contrib in the Python that runs it (bench/README.md
says how this machine got them)."""
import json
import sys
import time
from collections import deque

import gymnasium as gym
import numpy as np
import torch
from sb3_contrib import RecurrentPPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import VecNormalize

from sb3_parity import NoVelocity  # the Zoo's CartPoleNoVel, shared with bench/parity.ts's peer


class Threshold(BaseCallback):
    def __init__(self, t0):
        super().__init__()
        self.t0, self.window = t0, deque(maxlen=20)
        self.seconds = self.steps = None

    def _on_step(self):
        for info in self.locals["infos"]:
            if "episode" in info:
                self.window.append(info["episode"]["r"])
                if self.seconds is None and len(self.window) == 20 and np.mean(self.window) >= 475:
                    self.seconds, self.steps = time.perf_counter() - self.t0, self.num_timesteps
        return True


def main(seed, steps=100_000):
    torch.set_num_threads(1)
    make = lambda: NoVelocity(gym.make("CartPole-v1"))
    env = VecNormalize(make_vec_env(make, n_envs=8, seed=seed), gamma=0.98)
    policy_kwargs = dict(ortho_init=False, activation_fn=torch.nn.ReLU, lstm_hidden_size=64,
                         enable_critic_lstm=True, net_arch=dict(pi=[64], vf=[64]))
    model = RecurrentPPO("MlpLstmPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98,
                         n_epochs=20, ent_coef=0.0, learning_rate=LinearSchedule(1e-3, 0, 1),
                         clip_range=LinearSchedule(0.2, 0, 1), policy_kwargs=policy_kwargs, seed=seed, verbose=0)
    t0 = time.perf_counter()
    cb = Threshold(t0)
    model.learn(steps, callback=cb)
    wall = time.perf_counter() - t0
    env.training, env.norm_reward = False, False
    mean, _ = evaluate_policy(model, env, n_eval_episodes=20, deterministic=True)
    print(json.dumps(dict(seed=seed, totalSteps=steps, wallSeconds=wall, secondsToThreshold=cb.seconds,
                          stepsToThreshold=cb.steps, evalReturnMean=float(mean))), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)

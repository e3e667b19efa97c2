"""The peer side of bench/update-cost.ts --peer: what one gradient step costs Stable-Baselines3 (and
sb3-contrib's RecurrentPPO), torch on one thread, on the shapes wnrl's table measures. Reads one JSON
argument:

  {"case": "ppo" | "dqn" | "rppo", "minibatch": 64, "rounds": 5}

  ppo:  MlpPolicy [64, 64] tanh on CartPole-v1, 8 envs x 256 steps, n_epochs 1, batch_size = minibatch:
        train() over one collected rollout is (2048 / minibatch) gradient steps.
  dqn:  MlpPolicy [256, 256] ReLU on CartPole-v1, batch_size = minibatch, buffer filled with 5000 random
        steps: train(gradient_steps=64) is 64 gradient steps (the target update is per env step there).
  ppo-mujoco: the RL Zoo's MuJoCo PPO policy ([256, 256] ReLU for pi and vf, ortho_init off, log_std_init
        -2) on Pendulum-v1, 8 envs x 64 steps, n_epochs 1, batch_size = minibatch (16 gradient steps).
  rppo: RecurrentPPO MlpLstmPolicy as the Zoo's ppo_lstm CartPoleNoVel (LSTM 64 per head, [64] ReLU heads),
        8 envs x 32 steps, batch_size 256, n_epochs 1: one gradient step per train().

Prints one JSON line: {"msPerStep": [one median per round], "steps": gradient steps timed per round}.
Collection is not timed: only train(), which is what a gradient step is in SB3."""
import json
import sys
import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.env_util import make_vec_env


class NoVelocity(gym.ObservationWrapper):
    def observation(self, obs):
        return obs * np.array([1, 0, 1, 0], dtype=obs.dtype)


def timed_train(model, calls, steps_per_call):
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        model.train(**({"gradient_steps": steps_per_call, "batch_size": model.batch_size} if isinstance(model, DQN) else {}))
        times.append((time.perf_counter() - t0) * 1000 / steps_per_call)
    return float(np.median(times))


def main(spec):
    torch.set_num_threads(1)
    case, mb, rounds = spec["case"], int(spec.get("minibatch", 64)), int(spec.get("rounds", 5))
    out = []
    if case == "ppo":
        env = make_vec_env("CartPole-v1", n_envs=8, seed=1)
        model = PPO("MlpPolicy", env, n_steps=256, batch_size=mb, n_epochs=1, seed=1, device="cpu", policy_kwargs={"net_arch": [64, 64], "activation_fn": torch.nn.Tanh})
        model.learn(2048)  # one rollout collected and trained on (warm-up)
        steps = 2048 // mb
        for _ in range(rounds):
            out.append(timed_train(model, 3, steps))
    elif case == "ppo-mujoco":
        env = make_vec_env("Pendulum-v1", n_envs=8, seed=1)
        model = PPO("MlpPolicy", env, n_steps=64, batch_size=mb, n_epochs=1, seed=1, device="cpu",
                    policy_kwargs={"net_arch": {"pi": [256, 256], "vf": [256, 256]}, "activation_fn": torch.nn.ReLU, "ortho_init": False, "log_std_init": -2})
        model.learn(512)
        steps = 512 // mb
        for _ in range(rounds):
            out.append(timed_train(model, 3, steps))
    elif case == "dqn":
        env = make_vec_env("CartPole-v1", n_envs=1, seed=1)
        model = DQN("MlpPolicy", env, batch_size=mb, learning_starts=5000, buffer_size=100_000, seed=1, device="cpu", policy_kwargs={"net_arch": [256, 256]})
        model.learn(5000)
        steps = 64
        for _ in range(rounds):
            out.append(timed_train(model, 3, steps))
    elif case == "rppo":
        from sb3_contrib import RecurrentPPO

        env = make_vec_env(lambda: NoVelocity(gym.make("CartPole-v1")), n_envs=8, seed=1)
        model = RecurrentPPO("MlpLstmPolicy", env, n_steps=32, batch_size=256, n_epochs=1, seed=1, device="cpu",
                             policy_kwargs={"ortho_init": False, "activation_fn": torch.nn.ReLU, "lstm_hidden_size": 64, "enable_critic_lstm": True, "net_arch": {"pi": [64], "vf": [64]}})
        model.learn(256)
        steps = 1
        for _ in range(rounds):
            out.append(timed_train(model, 10, steps))
    else:
        raise SystemExit(f"unknown case {case}")
    print(json.dumps({"msPerStep": out, "steps": steps}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

"""A wnrl checkpoint's policy evaluated by Stable-Baselines3's own evaluation: the saved policy network
(a Sequential of Dense or WeightNormDense layers, w = g·v/‖v‖ per column) rebuilt in numpy, the saved
observation statistics loaded into a frozen VecNormalize (the clip and epsilon of the run's
normalizeObservation wrapper, from its config.json), and SB3's evaluate_policy run on it, deterministic:
whether a wnrl policy's final return depends on whose evaluation measures it. Reads one JSON argument:

  {"env": "Hopper-v5", "checkpoint": "<run>/checkpoint", "episodes": 20, "seed": 1000}

and prints one JSON line: {"returns": [...], "lengths": [...], "mean": m}. bench/README.md (the Hopper-v5
preset's held-out section) has what it measured."""
import json
import os
import sys

import gymnasium as gym
import numpy as np
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecNormalize

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0), "linear": lambda x: x}


def load_layers(folder):
    """(kernel [in, out], bias, activation) per layer of a saved tfjs Sequential."""
    with open(os.path.join(folder, "model.json")) as f:
        model = json.load(f)
    values = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    arrays, at = {}, 0
    for spec in model["weightsManifest"][0]["weights"]:
        n = int(np.prod(spec["shape"]))
        arrays[spec["name"]] = values[at : at + n].reshape(spec["shape"]).astype(np.float64)
        at += n
    if at != values.size:
        raise ValueError(f"{folder}: manifest covers {at} of {values.size} values")
    layers = []
    for layer in model["modelTopology"]["config"]["layers"]:
        name, cls, cfg = layer["config"]["name"], layer["class_name"], layer["config"]
        if cls == "WeightNormDense":
            v, g = arrays[f"{name}/v"], arrays[f"{name}/g"]
            kernel = v * (g / np.linalg.norm(v, axis=0))
        elif cls == "Dense":
            kernel = arrays[f"{name}/kernel"]
        else:
            raise ValueError(f"{folder}: layer {name} is a {cls}; this evaluator rebuilds Dense and WeightNormDense only")
        layers.append((kernel, arrays[f"{name}/bias"], ACTIVATIONS[cfg["activation"]]))
    return layers


class NumpyPolicy:
    """The deterministic action of a wnrl Gaussian policy (its mean), clipped to the action bounds by SB3's predict convention."""

    def __init__(self, layers, low, high):
        self.layers, self.low, self.high = layers, low, high

    def predict(self, obs, state=None, episode_start=None, deterministic=True):
        x = np.asarray(obs, dtype=np.float64)
        for kernel, bias, act in self.layers:
            x = act(x @ kernel + bias)
        return np.clip(x, self.low, self.high).astype(np.float32), None


def observation_wrapper(run_dir):
    """The run's normalizeObservation wrapper; any other wrapper that changes what the policy sees is refused."""
    with open(os.path.join(run_dir, "config.json")) as f:
        wrappers = json.load(f)["env"]["wrappers"]
    found = None
    for w in wrappers:
        if w["type"] == "normalizeObservation":
            found = w
        elif w["type"] not in ("normalizeReward", "timeLimit", "recordEpisodeStatistics", "clipAction"):
            raise ValueError(f"{run_dir}: env.wrappers has a {w['type']} wrapper; this evaluator rebuilds observation normalization only")
    if found is None:
        raise ValueError(f"{run_dir}: env.wrappers has no normalizeObservation wrapper")
    return found


def frozen(env, obs_stats, wrapper):
    clip = wrapper.get("clip")
    env = VecNormalize(env, norm_obs=True, norm_reward=False, clip_obs=np.inf if clip is None else float(clip), epsilon=float(wrapper.get("epsilon", 1e-8)), training=False)
    env.obs_rms.mean = np.asarray(obs_stats["mean"], dtype=np.float64)
    env.obs_rms.var = np.asarray(obs_stats["var"], dtype=np.float64)
    env.obs_rms.count = float(obs_stats["count"])
    return env


def main(case):
    ckpt = case["checkpoint"]
    with open(os.path.join(ckpt, "trainer.json")) as f:
        trainer = json.load(f)
    if trainer.get("normalization") is None:
        raise ValueError(f"{ckpt}: no observation statistics saved (the run did not normalize observations)")
    wrapper = observation_wrapper(os.path.dirname(os.path.abspath(ckpt)))
    env = frozen(make_vec_env(case["env"], n_envs=1, seed=case.get("seed", 1000)), trainer["normalization"], wrapper)
    policy = NumpyPolicy(load_layers(os.path.join(ckpt, "policy")), env.action_space.low, env.action_space.high)
    returns, lengths = evaluate_policy(policy, env, n_eval_episodes=case.get("episodes", 20), deterministic=True, return_episode_rewards=True)
    print(json.dumps({"returns": [float(r) for r in returns], "lengths": [int(n) for n in lengths], "mean": float(np.mean(returns))}), flush=True)


if __name__ == "__main__":
    gym.logger.min_level = 40
    main(json.loads(sys.argv[1]))

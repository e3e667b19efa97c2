"""One PPO update of SB3, recorded so that wnrl can replay it: the peer side of bench/ppo-update-trace.ts.
Reads one JSON argument:

  {"env": "Hopper-v5", "seed": 1, "normalize": true, "maxEpisodeSteps": null, "hyper": {}}

Builds SB3's PPO (MlpPolicy, SB3's defaults plus `hyper`) on the env, VecNormalize around it when
`normalize`, collects one rollout and runs one update (train()). Records what wnrl needs to run the same
update and what it must arrive at. Prints one JSON line:

  paramsBefore, paramsAfterFirstStep, paramsAfter   {name: nested list} of policy.state_dict()
  rollout      observations, actions (unclipped), logProbs, values, rewards (as the buffer holds them:
               normalized, with γ·V(final observation) added where an episode was truncated),
               episodeStarts, advantages, returns (all flattened, step-major; one env)
  lastValues, lastDones   what compute_returns_and_advantage got
  steps        per env step as the env returned it, before SB3 adds the bootstrap: reward (normalized),
               terminated, truncated (TimeLimit.truncated), finalObservation (normalized; null unless
               the episode ended)
  permutations  one per epoch: the minibatch order (np.random.permutation in RolloutBuffer.get)
  losses        per gradient step: policy loss, value loss, approx KL, clip fraction, gradient norm
                before clipping
"""
import json
import sys

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize


def state(policy):
    return {k: v.detach().cpu().numpy().tolist() for k, v in policy.state_dict().items()}


class TracedPPO(PPO):
    """PPO whose first train() call is recorded."""

    trace = None

    def train(self):
        if TracedPPO.trace is not None:
            return super().train()
        buf = self.rollout_buffer
        trace = {
            "paramsBefore": state(self.policy),
            "rollout": {
                "observations": buf.observations.reshape(-1).tolist(),
                "actions": buf.actions.reshape(-1).tolist(),
                "logProbs": buf.log_probs.reshape(-1).tolist(),
                "values": buf.values.reshape(-1).tolist(),
                "rewards": buf.rewards.reshape(-1).tolist(),
                "episodeStarts": buf.episode_starts.reshape(-1).tolist(),
                "advantages": buf.advantages.reshape(-1).tolist(),
                "returns": buf.returns.reshape(-1).tolist(),
            },
            "lastValues": self._last_gae_args[0],
            "lastDones": self._last_gae_args[1],
            "permutations": [],
            "losses": [],
        }
        permutation = np.random.permutation

        def recorded(n):
            p = permutation(n)
            trace["permutations"].append(p.tolist())
            return p

        opt = self.policy.optimizer
        step = opt.step
        clip = th.nn.utils.clip_grad_norm_

        def clip_recorded(params, max_norm, *args, **kwargs):
            norm = clip(params, max_norm, *args, **kwargs)
            trace["losses"].append({"gradNorm": float(norm)})
            return norm

        def step_recorded(*args, **kwargs):
            out = step(*args, **kwargs)
            if "paramsAfterFirstStep" not in trace:
                trace["paramsAfterFirstStep"] = state(self.policy)
            return out

        np.random.permutation = recorded
        th.nn.utils.clip_grad_norm_ = clip_recorded
        opt.step = step_recorded
        try:
            super().train()
        finally:
            np.random.permutation = permutation
            th.nn.utils.clip_grad_norm_ = clip
            opt.step = step
        trace["paramsAfter"] = state(self.policy)
        TracedPPO.trace = trace
        return None


def main(case):
    th.set_num_threads(1)
    kwargs = {} if case.get("maxEpisodeSteps") is None else {"max_episode_steps": case["maxEpisodeSteps"]}
    env = make_vec_env(lambda: gym.make(case["env"], **kwargs), n_envs=1, seed=case["seed"])
    if case.get("normalize", True):
        env = VecNormalize(env, gamma=case.get("hyper", {}).get("gamma", 0.99))
    model = TracedPPO("MlpPolicy", env, seed=case["seed"], device="cpu", **case.get("hyper", {}))
    compute = model.rollout_buffer.compute_returns_and_advantage

    def compute_recorded(last_values, dones):
        model._last_gae_args = (last_values.reshape(-1).tolist(), np.asarray(dones, dtype=np.float64).reshape(-1).tolist())
        return compute(last_values, dones)

    model.rollout_buffer.compute_returns_and_advantage = compute_recorded
    steps = []
    env_step = model.env.step

    def step_recorded(actions):
        obs, rewards, dones, infos = env_step(actions)
        truncated = bool(infos[0].get("TimeLimit.truncated", False))
        final = infos[0]["terminal_observation"].tolist() if dones[0] else None
        steps.append({"reward": float(rewards[0]), "terminated": bool(dones[0]) and not truncated, "truncated": truncated, "finalObservation": final})
        return obs, rewards, dones, infos

    model.env.step = step_recorded
    model.learn(total_timesteps=model.n_steps)
    TracedPPO.trace["steps"] = steps[: model.n_steps]
    print(json.dumps(TracedPPO.trace), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

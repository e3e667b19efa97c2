"""SB3's PPO recorded so that wnrl can replay it: the peer side of bench/ppo-update-trace.ts. Reads one JSON
argument:

  {"env": "Hopper-v5", "seed": 1, "normalize": true, "maxEpisodeSteps": null, "rollouts": 1, "hyper": {},
   "pretrain": 0, "fixture": false}

Builds SB3's PPO (MlpPolicy, SB3's defaults plus `hyper`) on the env, VecNormalize around it when
`normalize`, and trains it for `rollouts` rollouts (each followed by its update). Records what wnrl needs to
run the same training and what it must arrive at. Prints one JSON line:

  paramsBefore, paramsAfterFirstStep, paramsAfter   {name: nested list} of policy.state_dict(): before
               the first update, after its first gradient step, after it
  rollout      the first rollout as the buffer holds it: observations, actions (unclipped), logProbs,
               values, rewards (normalized, with γ·V(final observation) added where an episode was
               truncated), episodeStarts, advantages, returns (flattened, step-major; one env)
  lastValues, lastDones   what the first compute_returns_and_advantage got
  permutations  the first update's minibatch order per epoch (np.random.permutation in RolloutBuffer.get)
  losses        per gradient step of the first update: the gradient norm before clipping
  updates      per update: {permutations, paramsAfter}
  steps        per env step: observation (what the policy saw), action (unclipped), noise ((action − mean)
               / std, float64), then as the env returned it before SB3 adds the bootstrap: reward
               (normalized), terminated, truncated (TimeLimit.truncated), finalObservation (normalized;
               null unless the episode ended)

With "pretrain": N, SB3 first trains for N steps unrecorded, then records its state (`pretrained`: the
Adam moments per parameter and their step count, VecNormalize's observation and return statistics),
reseeds the env with seed + 1 and records the `rollouts` rollouts that follow from a fresh reset: a replay
late in training.

With "fixture": true, only the first update's fields and the first rollout's steps (reward and episode
ends) are printed, numbers to 9 significant digits (float32's): test/fixtures/sb3/ holds such files.
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
    """PPO whose train() calls are recorded: the first in detail, every one's minibatch order and result."""

    trace = {"updates": []}
    gae_args = None
    recording = True

    def train(self):
        if not TracedPPO.recording:
            return super().train()
        trace = TracedPPO.trace
        first = len(trace["updates"]) == 0
        update = {"permutations": []}
        if first:
            buf = self.rollout_buffer
            trace["paramsBefore"] = state(self.policy)
            trace["rollout"] = {
                "observations": buf.observations.reshape(-1).tolist(),
                "actions": buf.actions.reshape(-1).tolist(),
                "logProbs": buf.log_probs.reshape(-1).tolist(),
                "values": buf.values.reshape(-1).tolist(),
                "rewards": buf.rewards.reshape(-1).tolist(),
                "episodeStarts": buf.episode_starts.reshape(-1).tolist(),
                "advantages": buf.advantages.reshape(-1).tolist(),
                "returns": buf.returns.reshape(-1).tolist(),
            }
            trace["lastValues"], trace["lastDones"] = TracedPPO.gae_args
            trace["permutations"] = update["permutations"]
            trace["losses"] = []
        permutation = np.random.permutation

        def recorded(n):
            p = permutation(n)
            update["permutations"].append(p.tolist())
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
        if first:
            th.nn.utils.clip_grad_norm_ = clip_recorded
            opt.step = step_recorded
        try:
            super().train()
        finally:
            np.random.permutation = permutation
            th.nn.utils.clip_grad_norm_ = clip
            opt.step = step
        update["paramsAfter"] = state(self.policy)
        if first:
            trace["paramsAfter"] = update["paramsAfter"]
        trace["updates"].append(update)


def main(case):
    th.set_num_threads(1)
    kwargs = {} if case.get("maxEpisodeSteps") is None else {"max_episode_steps": case["maxEpisodeSteps"]}
    env = make_vec_env(lambda: gym.make(case["env"], **kwargs), n_envs=1, seed=case["seed"])
    if case.get("normalize", True):
        env = VecNormalize(env, gamma=case.get("hyper", {}).get("gamma", 0.99))
    model = TracedPPO("MlpPolicy", env, seed=case["seed"], device="cpu", **case.get("hyper", {}))
    compute = model.rollout_buffer.compute_returns_and_advantage

    def compute_recorded(last_values, dones):
        if TracedPPO.recording and TracedPPO.gae_args is None:
            TracedPPO.gae_args = (last_values.reshape(-1).tolist(), np.asarray(dones, dtype=np.float64).reshape(-1).tolist())
        return compute(last_values, dones)

    model.rollout_buffer.compute_returns_and_advantage = compute_recorded
    steps = []
    # what the policy saw, the action it sampled and the noise behind it
    forward = model.policy.forward

    def forward_recorded(obs, deterministic=False):
        actions, values, log_probs = forward(obs, deterministic)
        if not TracedPPO.recording:
            return actions, values, log_probs
        dist = model.policy.get_distribution(obs).distribution
        noise = (actions.double() - dist.mean.double()) / dist.stddev.double()
        steps.append({"observation": obs[0].tolist(), "action": actions[0].tolist(), "noise": noise[0].tolist()})
        return actions, values, log_probs

    model.policy.forward = forward_recorded
    env_step = model.env.step

    def step_recorded(actions):
        obs, rewards, dones, infos = env_step(actions)
        if not TracedPPO.recording:
            return obs, rewards, dones, infos
        truncated = bool(infos[0].get("TimeLimit.truncated", False))
        final = infos[0]["terminal_observation"].tolist() if dones[0] else None
        steps[-1].update(reward=float(rewards[0]), terminated=bool(dones[0]) and not truncated, truncated=truncated, finalObservation=final)
        return obs, rewards, dones, infos

    model.env.step = step_recorded
    if case.get("pretrain", 0) > 0:
        TracedPPO.recording = False
        model.learn(total_timesteps=case["pretrain"])
        TracedPPO.trace["pretrained"] = pretrained_state(model)
        model.env.seed(case["seed"] + 1)
        TracedPPO.recording = True
    model.learn(total_timesteps=model.n_steps * case.get("rollouts", 1))
    trace = TracedPPO.trace
    trace["steps"] = steps
    if case.get("fixture", False):
        keep = ["paramsBefore", "paramsAfterFirstStep", "paramsAfter", "rollout", "lastValues", "lastDones", "permutations", "losses"]
        trace = {k: trace[k] for k in keep}
        trace["steps"] = [{k: st[k] for k in ("reward", "terminated", "truncated", "finalObservation")} for st in steps[: model.n_steps]]
        trace["case"] = case
        trace = float32_digits(trace)
    print(json.dumps(trace), flush=True)


def pretrained_state(model):
    """Adam's moments by parameter name and their step count, VecNormalize's statistics."""
    opt = model.policy.optimizer
    adam, step = {}, 0
    for name, p in model.policy.named_parameters():
        st = opt.state[p]
        adam[name] = {"m": st["exp_avg"].tolist(), "v": st["exp_avg_sq"].tolist()}
        step = int(st["step"])
    env = model.get_vec_normalize_env()
    rms = lambda r: {"mean": np.atleast_1d(r.mean).astype(float).tolist(), "var": np.atleast_1d(r.var).astype(float).tolist(), "count": float(r.count)}
    return {"adam": adam, "adamStep": step, "obsRms": rms(env.obs_rms) if env else None, "retRms": rms(env.ret_rms) if env else None, "steps": int(model.num_timesteps)}


def float32_digits(x):
    """Every float to 9 significant digits (a float32 value's round trip), recursively."""
    if isinstance(x, float):
        return float("%.9g" % x)
    if isinstance(x, list):
        return [float32_digits(v) for v in x]
    if isinstance(x, dict):
        return {k: float32_digits(v) for k, v in x.items()}
    return x


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

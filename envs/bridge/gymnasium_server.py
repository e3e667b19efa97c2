"""wnrl's Gymnasium bridge, the Python side: one process per vector env.

Started by envs/bridge/gymnasium.ts as `python gymnasium_server.py`. Requests arrive on fd 3 and
answers leave on fd 4, so whatever the environment prints (stdout or stderr) never touches the protocol;
both go to stderr, which the TypeScript side keeps a tail of for error messages. Every frame is
`u32 length (little endian) | u8 kind | payload` with length = 1 + len(payload).

Requests: INIT (JSON: id, num_envs, kwargs, sys_path, render), RESET (JSON: seed, options), STEP (raw
actions: int32 for Discrete/MultiDiscrete/MultiBinary, float32 for Box), GET_ATTR (JSON: name), RENDER
(the first env's rgb_array frame; INIT with render: true makes the envs with render_mode="rgb_array",
which only rendering runs pay for), CLOSE, and LIST (before INIT instead of it: every registered id,
made once with default arguments to read its spaces).
Answers: OK (JSON), BATCH (binary, below), FRAME (u32 height | u32 width | u8 RGB[h*w*3]), ERROR (JSON:
type, message, traceback).

A BATCH (after reset or step) is, for n envs and an observation of w float32 values per env:
  obs f32[n*w] | rewards f64[n] | terminated u8[n] | truncated u8[n] | has_final u8[n]
  | final_obs f32[k*w] for the k envs with has_final | u32 info_len | info JSON (a list of n dicts) or empty
Observations are "raw vectors": Box flattened, Discrete its integer, MultiDiscrete its integers,
MultiBinary its bits, Tuple/Dict gymnasium.spaces.flatten (one-hot inside); the
TypeScript side one-hot encodes top-level Discrete/MultiDiscrete like wnrl's own envs.
The vector env is Gymnasium's SyncVectorEnv with same-step autoreset: a step that ends an episode
returns the next episode's first observation, and the final one in final_obs.
"""
import json
import os
import select
import struct
import sys
import time
import traceback

INIT, RESET, STEP, GET_ATTR, CLOSE, LIST, RENDER = 1, 2, 3, 4, 5, 6, 7
OK, BATCH, FRAME, ERROR = 0x81, 0x82, 0x83, 0xFF
MAX_REQUEST = 64 << 20

REQUESTS, ANSWERS = 3, 4
# Non-blocking requests, polled for a short while before sleeping in select(): the next step usually
# arrives within microseconds of an answer, and a process that sleeps costs a wake-up on every step.
os.set_blocking(REQUESTS, False)
SPIN_SECONDS = float(os.environ.get("WNRL_BRIDGE_SPIN_US", "300")) / 1e6
# The protocol has its own pipes; an environment's prints go to stderr (never to the answers).
os.dup2(2, 1)
sys.stdout = sys.stderr


_spin = {"checked": 0.0, "seconds": SPIN_SECONDS}


def spin_seconds():
    """SPIN_SECONDS while the machine has a core for each side of the bridge (the 1-minute load average,
    which counts this pair, at most the number of cores), else 0: polling on an oversubscribed machine takes
    the core the other side needs. Read once a second."""
    now = time.perf_counter()
    if now - _spin["checked"] > 1.0:
        _spin["checked"] = now
        try:
            busy = os.getloadavg()[0] > (os.cpu_count() or 1)
        except OSError:
            busy = False
        _spin["seconds"] = 0.0 if busy else SPIN_SECONDS
    return _spin["seconds"]


def read_exact(n):
    buf = bytearray()
    deadline = time.perf_counter() + spin_seconds()
    while len(buf) < n:
        try:
            chunk = os.read(REQUESTS, n - len(buf))
        except BlockingIOError:
            if time.perf_counter() > deadline:
                select.select([REQUESTS], [], [])
            continue
        if not chunk:
            sys.exit(0)  # the parent is gone (or closed the pipe): end quietly
        buf += chunk
    return bytes(buf)


def send(kind, payload=b""):
    data = struct.pack("<IB", len(payload) + 1, kind) + payload
    view = memoryview(data)
    while view:
        view = view[os.write(ANSWERS, view):]


def send_json(kind, value):
    send(kind, json.dumps(value, allow_nan=False, default=str).encode())


def error(exc):
    send_json(ERROR, {"type": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc(limit=6)})


try:
    import numpy as np
    import gymnasium as gym
    from gymnasium import spaces
    from gymnasium.vector import AutoresetMode, SyncVectorEnv
    from gymnasium.vector.utils import iterate
except ImportError as exc:  # answer the first request with the reason
    header = read_exact(5)
    read_exact(struct.unpack("<IB", header)[0] - 1)
    error(exc)
    sys.exit(3)


def finite(x):
    x = float(x)
    return x if np.isfinite(x) else ("Infinity" if x > 0 else "-Infinity" if x < 0 else "NaN")


def describe(space):
    """A space as JSON, plus how its values become the raw float32 vector sent to TypeScript."""
    if isinstance(space, spaces.Box):
        return {"type": "Box", "shape": list(space.shape), "dtype": str(space.dtype),
                "low": [finite(v) for v in space.low.flatten()], "high": [finite(v) for v in space.high.flatten()]}
    if isinstance(space, spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.MultiDiscrete):
        if space.nvec.ndim != 1:
            raise TypeError(f"MultiDiscrete with shape {space.nvec.shape} is not supported (1-D only)")
        return {"type": "MultiDiscrete", "nvec": [int(v) for v in space.nvec], "start": [int(v) for v in space.start]}
    if isinstance(space, spaces.MultiBinary):
        return {"type": "MultiBinary", "n": int(np.prod(space.shape))}
    if isinstance(space, (spaces.Tuple, spaces.Dict)):
        flat = spaces.flatten_space(space)  # one-hot for the Discrete parts, concatenated
        return {"type": "Flattened", "of": type(space).__name__, "size": int(flat.shape[0]),
                "low": [finite(v) for v in flat.low], "high": [finite(v) for v in flat.high]}
    raise TypeError(f"{type(space).__name__} spaces are not supported by the wnrl bridge")


def raw_width(d):
    return {"Box": lambda: int(np.prod(d["shape"])) if d["shape"] else 1, "Discrete": lambda: 1,
            "MultiDiscrete": lambda: len(d["nvec"]), "MultiBinary": lambda: d["n"],
            "Flattened": lambda: d["size"]}[d["type"]]()


class Bridge:
    def __init__(self, msg):
        for p in msg.get("sys_path", []):
            if p not in sys.path:
                sys.path.insert(0, p)
        kwargs = msg.get("kwargs") or {}
        env_id = msg["id"]
        n = int(msg["num_envs"])
        if msg.get("render"):
            kwargs = {**kwargs, "render_mode": "rgb_array"}
        self.envs = SyncVectorEnv([lambda: gym.make(env_id, **kwargs) for _ in range(n)], autoreset_mode=AutoresetMode.SAME_STEP)
        self.n = n
        self.single_obs = self.envs.single_observation_space
        self.single_act = self.envs.single_action_space
        self.obs_desc = describe(self.single_obs)
        self.act_desc = describe(self.single_act)
        if self.act_desc["type"] == "Flattened":
            raise TypeError(f"{self.act_desc['of']} action spaces are not supported by the wnrl bridge")
        self.width = raw_width(self.obs_desc)
        spec = self.envs.envs[0].spec
        self.info = {"observation_space": self.obs_desc, "action_space": self.act_desc,
                     "max_episode_steps": spec.max_episode_steps if spec else None,
                     "reward_threshold": spec.reward_threshold if spec else None,
                     "id": spec.id if spec else env_id, "gymnasium_version": gym.__version__}

    def raw(self, obs, batched=True):
        """Observations as float32 rows of width self.width: a vector env's batch, or a list of single ones."""
        t = self.obs_desc["type"]
        if t == "Flattened":
            items = iterate(self.envs.observation_space, obs) if batched else obs
            return np.stack([spaces.flatten(self.single_obs, o) for o in items]).astype(np.float32)
        return np.asarray(obs).reshape(-1, self.width).astype(np.float32)

    def batch(self, obs, rewards, terminated, truncated, infos):
        n = self.n
        parts = [self.raw(obs).tobytes(), np.asarray(rewards, np.float64).tobytes(),
                 np.asarray(terminated, np.uint8).tobytes(), np.asarray(truncated, np.uint8).tobytes()]
        has_final = np.zeros(n, np.uint8)
        finals = []
        per_env = [{} for _ in range(n)]
        for key, value in infos.items():
            if key.startswith("_"):
                continue
            mask = infos.get("_" + key, np.ones(n, bool))
            if key == "final_obs":
                for i in range(n):
                    if mask[i]:
                        has_final[i] = 1
                        finals.append(value[i])
            elif key == "final_info":
                for i in range(n):
                    if mask[i]:
                        per_env[i]["final_info"] = {k: v[i] for k, v in value.items() if not k.startswith("_") and value.get("_" + k, np.ones(n, bool))[i]}
            else:
                # One tolist() per key instead of a NumPy scalar per env through json's default hook
                # (MuJoCo envs fill five float keys every step: ~60 -> ~35 µs per step for one env).
                values = value.tolist() if isinstance(value, np.ndarray) and value.dtype != object else value
                flags = np.asarray(mask).tolist()
                for i in range(n):
                    if flags[i]:
                        per_env[i][key] = values[i]
        parts.append(has_final.tobytes())
        if finals:
            parts.append(self.raw(finals, batched=False).tobytes())
        info_json = json.dumps(per_env, default=jsonable).encode() if any(per_env) else b""
        parts.append(struct.pack("<I", len(info_json)) + info_json)
        send(BATCH, b"".join(parts))

    def reset(self, msg):
        obs, infos = self.envs.reset(seed=msg.get("seed"), options=msg.get("options"))
        n = self.n
        self.batch(obs, np.zeros(n), np.zeros(n, bool), np.zeros(n, bool), infos)

    def render(self):
        frame = self.envs.envs[0].render()
        if frame is None:
            raise RuntimeError("render() returned None: the env was not made with render_mode='rgb_array' (open it with render: true)")
        frame = np.ascontiguousarray(np.asarray(frame, np.uint8)[..., :3])
        h, w = frame.shape[:2]
        send(FRAME, struct.pack("<II", h, w) + frame.tobytes())

    def step(self, payload):
        t = self.act_desc["type"]
        if t == "Box":
            actions = np.frombuffer(payload, np.float32).reshape((self.n, *self.act_desc["shape"]))
        else:
            actions = np.frombuffer(payload, np.int32).astype(np.int64)
            if t != "Discrete":
                actions = actions.reshape(self.n, -1)
                if t == "MultiBinary":
                    actions = actions.astype(np.int8)
        self.batch(*self.envs.step(actions))


def list_envs():
    """Every id in Gymnasium's registry: its spaces as the bridge would send them, or why it cannot be made here."""
    rows = []
    for env_id, spec in sorted(gym.envs.registry.items()):
        row = {"id": env_id, "max_episode_steps": spec.max_episode_steps, "reward_threshold": spec.reward_threshold}
        try:
            env = gym.make(env_id)
            try:
                row["observation_space"] = describe(env.observation_space)
                row["action_space"] = describe(env.action_space)
                if row["action_space"]["type"] == "Flattened":
                    raise TypeError(f"{row['action_space']['of']} action spaces are not supported by the wnrl bridge")
            finally:
                env.close()
        except Exception as exc:  # noqa: BLE001 - a missing dependency is the answer for this id
            row.pop("observation_space", None)
            row.pop("action_space", None)
            lines = str(exc).strip().splitlines()
            row["error"] = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
        rows.append(row)
    return {"gymnasium_version": gym.__version__, "envs": rows}


def jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return str(x)


def main():
    bridge = None
    while True:
        length, kind = struct.unpack("<IB", read_exact(5))
        if length < 1 or length > MAX_REQUEST:
            send_json(ERROR, {"type": "ProtocolError", "message": f"request frame of {length} bytes", "traceback": ""})
            return 4
        payload = read_exact(length - 1)
        try:
            if kind == INIT:
                bridge = Bridge(json.loads(payload))
                send_json(OK, bridge.info)
            elif kind == LIST and bridge is None:
                send_json(OK, list_envs())
            elif kind == CLOSE:
                if bridge is not None:
                    bridge.envs.close()
                send_json(OK, {})
                return 0
            elif bridge is None:
                raise RuntimeError("the first request must be INIT (or LIST)")
            elif kind == RESET:
                bridge.reset(json.loads(payload))
            elif kind == STEP:
                bridge.step(payload)
            elif kind == RENDER:
                bridge.render()
            elif kind == GET_ATTR:
                send_json(OK, json.loads(json.dumps(bridge.envs.get_attr(json.loads(payload)["name"]), default=jsonable)))
            else:
                raise RuntimeError(f"unknown request kind {kind}")
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the TypeScript side
            error(exc)


if __name__ == "__main__":
    sys.exit(main())

// The contract between agents and the Trainer. The Trainer owns the loop (step the VectorEnv, log
// episodes, evaluate, checkpoint); an agent chooses actions and learns from what it observes.
import type { Space } from '../envs/spaces/space.ts';
import type { Norm } from '../src/config/network.ts';
import type { Logger } from '../src/log/logger.ts';

/** One vector step as an agent learns from it. */
export interface Transition {
  observations: Float32Array;
  actions: Int32Array | Float32Array;
  rewards: Float32Array;
  /**
   * The observation each env reached: the env's `finalObservation` where its episode ended (so a
   * truncated episode bootstraps from its real last state), the returned observation elsewhere.
   */
  nextObservations: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/** Scalars an update reports; names are TensorBoard tags (`train/loss`, `rollout/explorationRate`, ...). */
export type Metrics = Record<string, number>;

/** Where training stands when an agent acts or learns. */
export interface AgentContext {
  /** Environment steps taken so far (summed over envs). */
  step: number;
  /** Training steps planned in total (for schedules). */
  totalSteps: number;
}

/** A recurrent policy's state for a batch of envs, from `agent.initialState(n)`; predict() updates it. */
export interface PolicyStateHandle {
  readonly numEnvs: number;
  /** Frees the state's tensors. */
  dispose(): void;
}

/** Options of `Agent.predict`. */
export interface PredictOptions {
  /** Greedy / mean actions (default true). */
  deterministic?: boolean;
  /** The recurrent state to act from and update (required by recurrent policies). */
  state?: PolicyStateHandle | null;
  /** 1 where the observation is the first of an episode: the state of that env is reset first. */
  episodeStarts?: Uint8Array;
}

/** What a feed-forward policy computes for a batch of observations (Agent.inspect). */
export interface Inspection {
  /** Action probabilities (discrete actor-critic), the Gaussian mean (continuous) or Q-values (DQN). */
  kind: 'probabilities' | 'mean' | 'q';
  /** [batch × actions] */
  outputs: Float32Array;
  /** The value estimate per observation (actor-critic), or null (DQN: the outputs are values). */
  values: Float32Array | null;
}

/** What the Trainer drives: DQN, A2C and PPO implement it (act and learn while training, predict to evaluate or deploy). */
export interface Agent {
  readonly algo: 'dqn' | 'a2c' | 'ppo';
  readonly norm: Norm;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Metric names `learn` may report, fixed for the run (they become metrics.csv columns). */
  readonly metricNames: readonly string[];
  /** Actions for a batch of observations while training (exploration on). */
  act(observations: Float32Array, ctx: AgentContext): Int32Array | Float32Array;
  /** Stores a transition and runs whatever updates are due; returns metrics when it updated. */
  learn(transition: Transition, ctx: AgentContext): Metrics | null;
  /** Actions for a batch of observations; `deterministic` for evaluation; a recurrent policy needs `state`. */
  predict(observations: Float32Array, opts?: PredictOptions): Int32Array | Float32Array;
  /**
   * What the policy computes for these observations, for inspection (replays); null for a recurrent
   * policy, whose outputs depend on the state it carries.
   */
  inspect?(observations: Float32Array): Inspection | null;
  /** A fresh recurrent state for `numEnvs` envs, or null when the policy has none (omitted: none). */
  initialState?(numEnvs: number): PolicyStateHandle | null;
  /**
   * Observations wanted from a random-policy warm-up before the first action (data-dependent init of
   * weight-normalized networks); 0 when none. The Trainer steps the env with random actions, counts those
   * steps, calls initialize() and resets the env. (DQN needs none: its learningStarts phase serves.)
   */
  warmupSamples?(): number;
  /** Data-dependent init from the warm-up's observations (`warmupSamples()` of them, step-major). */
  initialize?(observations: Float32Array): void;
  /** Continue step-based schedules from `step` after loading a checkpoint (a resumed run without its state). */
  resumeAt?(step: number): void;
  /**
   * Everything besides the networks and the optimizer that decides what the agent does next: random
   * streams, the rollout or replay buffer, recurrent states, counters. Structured-cloneable; with save()'s
   * files it makes a resumed run continue exactly as an uninterrupted one. Taken between vector steps.
   */
  captureState?(): unknown;
  /** Writes back what captureState() returned, into an agent loaded from the same checkpoint. */
  restoreState?(state: unknown): void;
  /** Weight-norm diagnostics and other network statistics, as TensorBoard tags. */
  diagnostics(): Metrics;
  /** Writes networks, optimizer state and agent.json into `dir` (the class's static `load(dir)` reads it back). */
  save(dir: string): Promise<void>;
  /** Where the agent's warnings and debug records go. */
  setLogger(logger: Logger): void;
  /** Frees every tensor the agent holds. */
  dispose(): void;
}

import { WnrlError } from '../envs/errors.ts';

export { EnvError, RegistryError, WnrlError } from '../envs/errors.ts';

/** The native TensorFlow backend could not be loaded (and the pure-JS backend was not asked for). */
export class BackendError extends WnrlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND', message, options);
  }
}

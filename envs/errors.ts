const ERROR_BRAND = Symbol.for('wnrl.error');

/** Base of every error wnrl raises on purpose. `code` is stable; the message follows
 * `<where>: <what>; got <actual>, expected <expected>[. <fix>]`. */
export class WnrlError extends Error {
  readonly code: string;
  /** Process-wide brand: `instanceof WnrlError` also holds for errors from another copy of wnrl's modules. */
  readonly [ERROR_BRAND] = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  /** `instanceof` that also holds for errors raised by another copy of wnrl's modules (a user's env package may bundle its own). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this, x) ||
      (this === WnrlError && typeof x === 'object' && x !== null && (x as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true)
    );
  }
}

/** An environment broke its contract: malformed step or reset output, or an action outside its space. */
export class EnvError extends WnrlError {
  readonly envId: string;
  readonly step: number | null;
  readonly field: string;
  constructor(envId: string, step: number | null, field: string, what: string, options?: { cause?: unknown }) {
    super('ENV_CONTRACT', `${envId} ${step === null ? 'reset' : `step ${step}`}: ${field} ${what}`, options);
    this.envId = envId;
    this.step = step;
    this.field = field;
  }
}

/** An unknown or duplicate environment id; names the closest registered ids. */
export class RegistryError extends WnrlError {
  readonly suggestions: string[];
  constructor(message: string, suggestions: string[] = []) {
    super('REGISTRY', message);
    this.suggestions = suggestions;
  }
}

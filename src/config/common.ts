// Small schema builders with the error wording every wnrl config shares.
import { z } from 'zod';

export const positiveInt = (what = 'a positive integer') =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
export const nonNegativeInt = (what = 'a non-negative integer') =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).nonnegative({ error: `expected ${what}` });
export const positiveNumber = (what = 'a positive number') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` }).finite({ error: `expected ${what}` });
export const nonNegativeNumber = (what = 'a non-negative number') =>
  z.number({ error: `expected ${what}` }).nonnegative({ error: `expected ${what}` }).finite({ error: `expected ${what}` });
export const probability = (what = 'a probability in [0, 1]') =>
  z.number({ error: `expected ${what}` }).min(0, { error: `expected ${what}` }).max(1, { error: `expected ${what}` });
export const seed = () => nonNegativeInt('a non-negative integer seed').max(2 ** 32 - 1, { error: 'expected a seed below 2^32' });

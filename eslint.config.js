// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'experiments/results/**', 'runs/**', 'scripts/*.mjs', 'src/cli/bin.js', '.scratch/**', 'docs/api/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // tfjs ops are generic in the rank they return (tf.mean<T>): asserting `as Scalar` reads better than
      // explicit type arguments, and this rule flags exactly that.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // envs/ stays free of TensorFlow: fast and usable alone (ARCHITECTURE.md).
    files: ['envs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/*'], message: 'envs/ never imports tfjs' }] }],
    },
  },
  {
    // Tests may use the `any`-typed internals of tfjs and vitest's matchers freely.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // tfjs types most op results as Tensor<Rank>; tests narrow them inline for readability.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Measurement scripts print their results.
    files: ['scripts/**/*.ts', 'examples/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  { files: ['eslint.config.js', 'vitest.config.ts'], ...tseslint.configs.disableTypeChecked },
);

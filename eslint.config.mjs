// One lint setup for every package and service.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'charts/**', 'k8s/tools/**', 'services/web/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/services/*/**', '../../*/src/**'], message: 'A service never imports another service.' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'tests/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Vitest's it.only / describe.skip are never allowed to land.
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' }, { object: 'describe', property: 'only' }, { object: 'test', property: 'only' },
        { object: 'it', property: 'skip' }, { object: 'describe', property: 'skip' }, { object: 'test', property: 'skip' },
      ],
    },
  },
);

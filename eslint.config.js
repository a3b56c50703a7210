import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.cache/', 'dist/', 'bench/results/', 'api/public/', 'test/histories/', 'dashboard/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    // Resolves extensionless TypeScript imports, without which no-cycle and no-restricted-paths see nothing.
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.js', '.mjs', '.json'] })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      // Workflow handlers close over state that is filled in after they are registered.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process'], message: 'Workflow and domain code must stay free of I/O.' }] },
      ],
    },
  },
  {
    // The layering of docs/architecture.md: a wrong import fails the lint, not a review.
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './domain',
              from: ['./activities', './api', './bench', './client', './config', './db', './integrations', './scripts', './temporal', './test', './worker', './workflows'],
              message: 'domain/ is pure: it imports only domain/.',
            },
            {
              target: './workflows',
              from: ['./api', './config', './db', './integrations', './temporal', './worker'],
              message: 'Workflow code imports only domain/, workflows/ and activity types.',
            },
            { target: './workflows', from: './activities', except: ['./index.ts'], message: 'Workflows see activities only through their types (activities/index.ts).' },
            {
              target: './db',
              from: ['./activities', './api', './integrations', './temporal', './worker', './workflows'],
              message: 'db/ imports only domain/ and config/.',
            },
            { target: './integrations', from: ['./activities', './api', './worker', './workflows'], message: 'An integration speaks to one outside service; it does not know who calls it.' },
            { target: './activities', from: ['./api', './worker'], message: 'Activities run in the worker and never import the API or the worker bootstrap.' },
            { target: './api', from: ['./activities', './worker'], message: 'The API reaches providers through integrations/ and workflows through Temporal, never the worker.' },
            { target: './api', from: './workflows', except: ['./contract.ts'], message: 'The API talks to workflows only through workflows/contract.ts.' },
          ],
        },
      ],
    },
  },
  {
    // node:test's describe/test return promises the runner tracks itself.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'test', 'it', 'before', 'after'], package: 'node:test' }] }] },
  },
  {
    files: ['scripts/bootstrap.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import pluginVue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.cache/', 'dist/', 'bench/results/', 'api/public/', 'test/histories/', 'dashboard/dist/', 'test-artifacts/', 'mobile/dist/', 'mobile/android/', 'mobile/ios/'] },
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
        { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'knex', 'pg'], message: 'Workflow and domain code must stay free of I/O.' }] },
      ],
    },
  },
  {
    // SQL lives in db/ only: everything else calls a named function of db/queries/ with the Db handle.
    // Tests may build rows and check them with the query builder directly; that is their setup and assertions.
    files: ['**/*.ts'],
    ignores: ['db/**', 'test/**', '**/*.test.ts', 'workflows/**', 'domain/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['knex', 'pg'].map((name) => ({ name, message: 'Database access belongs in db/; call a function of db/queries/ instead.' })) }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['db/**', 'test/**', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          // db('orders'), trx('orders'), deps.db('orders')
          "CallExpression[callee.name=/^(db|trx|knex)$/]",
          "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(db|trx|knex)$/]",
          // db.raw(...), db.transaction(...), db.fn.now(), deps.db.schema
          "MemberExpression[object.name=/^(db|trx|knex)$/][property.name=/^(raw|transaction|fn|schema|migrate|queryBuilder|select|from|table|with)$/]",
          "MemberExpression[object.type='MemberExpression'][object.property.name=/^(db|trx|knex)$/][property.name=/^(raw|transaction|fn|schema|migrate|queryBuilder|select|from|table|with)$/]",
        ].map((selector) => ({ selector, message: 'SQL belongs in db/: add or use a named function in db/queries/<table>.ts and call it with the Db handle.' })),
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
  // The merchant apps: Vue single-file components, and the client code they share.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['dashboard/**/*.vue', 'mobile/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    rules: {
      // vue-tsc checks names in templates and scripts; ESLint cannot see auto-imported globals.
      'no-undef': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware rules need a TypeScript program, which .vue files only get through vue-tsc.
    files: ['dashboard/**/*.vue', 'mobile/**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Client code reaches the server over HTTP only, so the mobile app can share it.
    files: ['client/**/*.ts', 'dashboard/**/*.ts', 'mobile/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...['./client', './dashboard', './mobile'].map((target) => ({
              target,
              from: ['./activities', './api', './config', './db', './domain', './integrations', './temporal', './worker', './workflows', './scripts', './tools', './test'],
              message: 'The merchant apps speak to the server over HTTP only; types come from client/api/schema.d.ts.',
            })),
            // The two apps share code through client/ only.
            { target: './mobile', from: './dashboard', message: 'mobile/ imports only client/ and its own files; move shared code into client/.' },
            { target: './dashboard', from: './mobile', message: 'dashboard/ imports only client/ and its own files; move shared code into client/.' },
            { target: './client', from: ['./dashboard', './mobile'], message: 'client/ is shared by both apps and imports neither.' },
          ],
        },
      ],
    },
  },
  // Formatting is Prettier's (`prettier --check dashboard client mobile`); this turns off the rules it would fight.
  prettier,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/*/dist/**',
      '.pack/**',
      'node_modules/**',
      'coverage/**',
      '.test-results/**',
      'data/**',
      'test/run-all.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node scripts (pack, test runners)
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '!**/libs/**', '**/test/*'],
              message: 'libs/ must not import from src/ or test/',
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Optional peers (the host may not install them) are loaded through libs/identity/src/common/peers, which
    // says what to install when an option needs one; elsewhere the library may only import their types.
    files: ['libs/identity/src/**/*.ts'],
    ignores: [
      'libs/identity/src/**/*.spec.ts',
      'libs/identity/src/common/peers/**',
      'libs/identity/src/api-keys/api-key.strategy.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            '@nestjs/swagger',
            '@nestjs/event-emitter',
            '@nestjs/passport',
            '@nestjs/throttler',
            '@nestjs/platform-express',
            '@nestjs/platform-fastify',
            'express',
            'fastify',
            'passport',
            'passport-custom',
            'pg',
            'ioredis',
            'better-sqlite3',
          ].map((name) => ({
            name,
            allowTypeImports: true,
            message: `${name} is an optional peer of nestjs-identity: load it through common/peers (type imports are fine)`,
          })),
        },
      ],
    },
  },
  {
    // The library's test kit (for its own specs and for hosts) uses the library through its public entry.
    files: ['libs/identity/testing/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '!../src/index.js', '**/test/*'],
              message: 'libs/identity/testing uses the library only through ../src/index.js',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/identity/src/*', '!**/libs/identity/src/index.js'],
              message:
                'The demo host, tests and benchmarks use the library only through libs/identity/src/index.js',
            },
          ],
        },
      ],
    },
  },
);

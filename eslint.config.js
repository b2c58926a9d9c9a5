import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bench/.build/',
      'infra/cdk.out/',
      'infra/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message:
            'Set process.exitCode (runner.setFailed) instead of exiting: finally blocks and post steps must run.',
        },
      ],
    },
  },
  {
    // Engines: no runner, no AWS SDK values, no adapters of the world. They own their port types;
    // src/aws/ (and src/github/, src/net/, src/git/) implement them, and the adapters in
    // src/actions/ wire them.
    files: ['src/**/*.ts'],
    ignores: [
      'src/actions/**',
      'src/aws/**',
      'src/github/**',
      'src/net/**',
      'src/git/**',
      'src/cli/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message:
                'Engines stay free of @actions/*: only src/actions/*/main.ts talks to the runner.',
            },
            {
              group: ['@aws-sdk/*', '@smithy/*'],
              allowTypeImports: true,
              message:
                'Only src/aws/ imports AWS SDK values: declare a port in the engine and implement it in src/aws/.',
            },
            {
              group: ['**/aws/*', '**/github/*', '**/net/*', '**/git/*', '**/actions/*'],
              message:
                'Engines never import src/aws, src/github, src/net, src/git or src/actions: they own their ports, which those implement.',
            },
          ],
        },
      ],
    },
  },
  {
    // The implementations of the ports: they may import engines' port types, never adapters.
    files: ['src/aws/**/*.ts', 'src/github/**/*.ts', 'src/net/**/*.ts', 'src/git/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'Only src/actions/*/main.ts talks to the runner.',
            },
            {
              group: ['**/actions/*', '**/runner/*'],
              message:
                'src/aws, src/github and src/net implement ports; they never import adapters.',
            },
          ],
        },
      ],
    },
  },
);

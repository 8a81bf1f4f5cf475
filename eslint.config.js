import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', '.skybatch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The interpreter is pure: definition + state + event in, new state + commands out.
    // All I/O belongs to adapters, so src/asl may not import anything that touches the outside world.
    files: ['src/asl/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:fs*', 'fs', 'fs/*', 'node:net', 'node:http*', 'node:child_process', 'node:worker_threads', 'node:dgram', 'node:dns', 'node:tls'], message: 'src/asl is pure: no I/O.' },
            { group: ['../engine/*', '../store/*', '../api/*', '../cli/*', '../batch/*', '../integrations/*'], message: 'src/asl must not depend on runtime layers.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'src/asl is pure: no I/O.' }, { name: 'setTimeout', message: 'Timers are commands, not sleeps.' }, { name: 'setInterval', message: 'Timers are commands.' }],
    },
  },
);

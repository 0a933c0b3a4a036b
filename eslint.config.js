import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noProcessEnv = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through src/server/config.ts (the one place that parses the environment).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'drizzle/**', 'bench/results/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', noProcessEnv],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The web app talks to the server only through the API: it may import the shared Zod
    // contracts (contract.ts) and src/shared, never server code.
    files: ['src/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Server code the browser must never load: platform internals and each module's
              // tables, services, routes, seeds, access and error plumbing. Contracts and pure
              // engines (pricing, calendar, crm rules) are shared on purpose.
              regex:
                '^(\\.\\./)+server/(platform/(?!contract\\.ts$)|modules/[a-z-]+/([a-z-]*-)?(schema|service|routes|seed|access|permissions|errors)(-[a-z-]+)?\\.ts$|(app|main|config)\\.ts$)',
              message: 'The web app may import only contract files and pure engines from the server.',
            },
          ],
        },
      ],
    },
  },
  {
    // The places allowed to read the environment: config, tests' and benchmarks' harnesses, tool configs.
    files: ['src/server/config.ts', 'src/server/testing/**', 'bench/**', 'e2e/**', '*.config.ts', '.ci/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

// @ts-check
import tseslint from 'typescript-eslint';

const botFrameworkImports = {
  patterns: [
    {
      group: ['botbuilder', 'botbuilder-*', 'botframework-*'],
      message:
        'Bot Framework imports stay in bot/ and dialogs/ so a move to the Agents SDK stays mechanical.',
    },
  ],
};
const graphImports = {
  patterns: [
    ...botFrameworkImports.patterns,
    {
      group: ['@microsoft/microsoft-graph-client', '@azure/identity', 'restify'],
      message: 'The domain core knows nothing of Graph or the web server.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'devTools/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  { files: ['core/**/*.ts'], rules: { 'no-restricted-imports': ['error', graphImports] } },
  {
    files: ['cards/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', botFrameworkImports] },
  },
);

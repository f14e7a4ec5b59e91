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

/** Layers import inwards only: bot -> dialogs -> views -> cards -> core. */
const layer = (...outer) => ({
  group: outer.flatMap((folder) => [`**/${folder}/*`, `**/${folder}`]),
  message: `This layer must not import from ${outer.join(', ')}: data flows activity -> router -> dialog -> domain -> card.`,
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'devTools/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...graphImports.patterns, layer('bot', 'dialogs', 'views', 'cards', 'sandbox')] },
      ],
    },
  },
  {
    files: ['dialogs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer('bot', 'sandbox')] }] },
  },
  {
    files: ['views/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...botFrameworkImports.patterns, layer('bot', 'dialogs', 'sandbox')] },
      ],
    },
  },
  {
    files: ['cards/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...botFrameworkImports.patterns, layer('bot', 'dialogs', 'views', 'sandbox')] },
      ],
    },
  },
  {
    // The sample tenant is a Graph look-alike: it knows nothing of the bot.
    files: ['sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...graphImports.patterns, layer('dialogs', 'views', 'cards', 'core')] },
      ],
    },
  },
  {
    files: ['scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', botFrameworkImports] },
  },
);

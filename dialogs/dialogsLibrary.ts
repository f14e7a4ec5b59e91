/**
 * The parts of botbuilder-dialogs this bot uses, each from its own module. The package's index also loads every
 * built-in prompt and the Recognizers-Text suites behind them, which this bot never uses: about 25 MB of memory
 * and a good part of start-up (bench/RESULTS.md). Import dialog classes from here, not from the package.
 */
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
export { Dialog, DialogTurnStatus } from 'botbuilder-dialogs/lib/dialog';
export { Prompt } from 'botbuilder-dialogs/lib/prompts/prompt';
export type {
  DialogContext,
  DialogInstance,
  DialogState,
  DialogTurnResult,
  PromptOptions,
  PromptRecognizerResult,
  WaterfallStepContext,
} from 'botbuilder-dialogs';

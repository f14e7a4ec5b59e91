import type { Activity } from 'botbuilder';
import { parseCardAction, type FlowChoice } from '../core/cardActions';
import { isOneOf } from '../core/textMatching';

export type GlobalCommand = 'help' | 'cancel' | 'restart';

/** Words that work at any point, in both languages (and typed in full-width: the match folds with NFKC). */
const COMMAND_WORDS: Record<GlobalCommand, readonly string[]> = {
  help: ['help', 'ヘルプ', '使い方', 'へるぷ', '?', '？'],
  cancel: ['cancel', 'stop', 'quit', 'exit', 'キャンセル', 'やめる', 'やめます', '中止', '終了'],
  // "start" is also a manifest command: outside a diagnosis it begins one, inside it begins again.
  restart: [
    'restart',
    'start',
    'start over',
    'start diagnosis',
    '最初から',
    'はじめから',
    'やり直し',
    'やりなおし',
    'スタート',
    '診断を始める',
  ],
};

/** A global command carried by the activity: typed words, a command button, or "start" on an old welcome card. */
export function recognizeCommand(activity: Partial<Activity>): GlobalCommand | undefined {
  const parsed = parseCardAction(activity.value);
  if (parsed.kind === 'action') {
    if (parsed.action.action === 'command') return parsed.action.name;
    if (parsed.action.action === 'diagnosis.start') return 'restart';
    return undefined;
  }
  const text = activity.text ?? '';
  return (Object.keys(COMMAND_WORDS) as GlobalCommand[]).find((command) =>
    isOneOf(text, COMMAND_WORDS[command]),
  );
}

/** Options for a fresh diagnosis: the flow a start button names, if any. */
export function startOptionsOf(activity: Partial<Activity>): { flow?: FlowChoice } {
  const parsed = parseCardAction(activity.value);
  return parsed.kind === 'action' && parsed.action.action === 'diagnosis.start' && parsed.action.flow
    ? { flow: parsed.action.flow }
    : {};
}

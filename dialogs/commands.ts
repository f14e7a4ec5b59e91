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

/** Phrases that ask for a person wherever they appear in a message; short words must be the whole message. */
const HUMAN_PHRASES = [
  '担当者と話',
  '担当者につな',
  '担当者に相談',
  '人と話',
  '人間と話',
  'オペレーター',
  'サポートに連絡',
  'サポート担当',
  'talk to a human',
  'talk to a person',
  'talk to someone',
  'talk to an agent',
  'talk to a support agent',
  'speak to a human',
  'speak to a person',
  'speak to someone',
  'real person',
  'human agent',
  'contact support',
];
const HUMAN_WORDS = ['human', 'agent', 'person', 'support', '担当者', 'サポート', 'ヘルプデスク', 'helpdesk'];

/** True when typed words ask for a person (card buttons say so with their own actions). */
export function isHumanRequest(activity: Partial<Activity>): boolean {
  if (parseCardAction(activity.value).kind !== 'none') return false;
  const text = (activity.text ?? '').normalize('NFKC').toLowerCase();
  return HUMAN_PHRASES.some((phrase) => text.includes(phrase)) || isOneOf(text, HUMAN_WORDS);
}

/** Options for a fresh diagnosis: the flow a start button names, if any. */
export function startOptionsOf(activity: Partial<Activity>): { flow?: FlowChoice } {
  const parsed = parseCardAction(activity.value);
  return parsed.kind === 'action' && parsed.action.action === 'diagnosis.start' && parsed.action.flow
    ? { flow: parsed.action.flow }
    : {};
}

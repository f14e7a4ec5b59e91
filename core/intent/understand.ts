import type { ErrorCodeEntry, ErrorCodeTable } from '../errorCodes/errorCodeLookup';
import { findErrorCodes } from '../errorCodes/errorCodeLookup';
import { normalizeForMatching } from './normalize';
import type { Intent, IntentRecognizer, Recognition } from './recognizer';

/** Details a message may already give, so the bot does not ask for them again. */
export interface MessageDetails {
  errorCodes: ErrorCodeEntry[];
  browser?: 'chrome' | 'edge' | 'firefox' | 'safari';
  accountType?: 'work' | 'personal';
}

export interface Understanding extends Recognition {
  details: MessageDetails;
}

const FLOW_INTENT: Record<ErrorCodeEntry['flow'], Intent> = {
  'signin-repair': 'signin',
  activation: 'activation',
  account: 'account',
};

const BROWSERS: [MessageDetails['browser'], RegExp][] = [
  ['chrome', /chrome|クローム/],
  ['edge', /\bedge\b|エッジ/],
  ['firefox', /firefox|ファイアフォックス/],
  ['safari', /safari|サファリ/],
];

/** The recogniser's reading of a message, with error codes as strong hints and the details it already gives. */
export function understand(
  text: string,
  recognizer: IntentRecognizer,
  errorCodes: ErrorCodeTable,
): Understanding {
  const accountType = accountTypeOf(normalizeForMatching(text));
  const codes = findErrorCodes(errorCodes, text).filter(
    (code) => !(accountType === 'personal' && code.accounts === 'work'),
  );
  const recognition = recognizer.recognize(
    text,
    codes.map((c: ErrorCodeEntry) => FLOW_INTENT[c.flow]),
  );
  const normalized = normalizeForMatching(text);
  const browser = BROWSERS.find(([, pattern]) => pattern.test(normalized))?.[0];
  return { ...recognition, details: { errorCodes: codes, browser, accountType } };
}

function accountTypeOf(normalized: string): MessageDetails['accountType'] {
  if (
    /outlook\.com|hotmail|live\.com|gmail|個人用|個人の|personal|マイクロソフトアカウント|microsoft ?アカウント|microsoft account/.test(
      normalized,
    )
  )
    return 'personal';
  return /職場|会社|学校|組織|work account|school account|work or school/.test(normalized)
    ? 'work'
    : undefined;
}

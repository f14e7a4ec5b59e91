import { foldText } from '../textMatching';

/** Words that turn a report into a problem: 「エラーが出ました」 and "closed it but it still loops" are not "done". */
const JA_TROUBLE =
  /ない|ません|なかった|なく|エラー|失敗|だめ|ダメ|出ました|出た|表示|ループ|ロック|でき(ず|ません)|けど|が、/u;
const EN_TROUBLE =
  /\b(not|never|no|but|still|error|fail\w*|loop\w*|locked|again|won't|can't|didn't|doesn't)\b|n't\b/u;
const EN_DONE =
  /^(?:(?:ok|okay|yep|yes|so|alright)[,!.]?\s+)?(?:i(?:'ve| have)?\s+|just\s+|all\s+)?(?!need\b|feed\b|speed\b)(?:\w+ed|did|ran|done|shut|quit|put|set)\b/u;

/**
 * A short message that reports having done something (「全部閉じました」「ダブルクリックした」「済」, "deleted both
 * folders' contents", "ran it as admin"): at a step card, that is "done". A report with any sign of trouble is not.
 */
export function reportsDone(text: string): boolean {
  const folded = foldText(text).replace(/[!！。.…]+$/u, '');
  if (/[\u3040-\u30ff\u4e00-\u9fff]/u.test(folded)) {
    if (folded.length > 24 || JA_TROUBLE.test(folded)) return false;
    return /(ました|した|済み?|済んだ|完了|やった|やりました|終わった|ok)$/u.test(folded);
  }
  if (folded.split(' ').length > 8 || EN_TROUBLE.test(folded)) return false;
  return EN_DONE.test(folded);
}

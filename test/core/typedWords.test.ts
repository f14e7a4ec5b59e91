import assert from 'node:assert/strict';
import {
  containsKeyword,
  foldText,
  matchKeywordsWithKeyword,
  ordinalPosition,
} from '../../core/textMatching';
import { loadUnderstandingOnce } from '../helpers/testBot';

describe('Typed words: positions, negation, host words, commands in a few more words', () => {
  it('reads a button by its place on the card, and nothing else as a place', () => {
    const cases: [string, number | undefined][] = [
      ['3番目', 3],
      ['２番目です', 2],
      ['上から2番目', 2],
      ['二つ目', 2],
      ['三番目をお願いします', 3],
      ['最初の', 1],
      ['一番下で', 4],
      ['the first one', 1],
      ['2nd', 2],
      ['option 3', 3],
      ['#2', 2],
      ['4', 4],
      ['the last one', 4],
      ['5番目', undefined],
      ['Office 2016', undefined],
      ['step 2 failed', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(ordinalPosition(text, 4), expected, text);
  });

  it('a keyword wins over a position; a position picks only among the numbered buttons', () => {
    const choices = [
      { label: 'Office 2016', keywords: ['2016'] },
      { label: 'Office 2019', keywords: ['2019'] },
      { label: 'Back', keywords: ['back'] },
    ];
    assert.equal(matchKeywordsWithKeyword('2番目', choices, 2)?.choice.label, 'Office 2019');
    assert.equal(matchKeywordsWithKeyword('3番目', choices, 2), undefined);
    assert.equal(matchKeywordsWithKeyword('2016です', choices, 2)?.choice.label, 'Office 2016');
  });

  it('"don\'t send it" does not say "send"; 「パスワード」 does not say Word (「ワード」)', () => {
    assert.equal(containsKeyword(foldText("don't send it"), 'send'), false);
    assert.equal(containsKeyword(foldText('there is no other admin'), 'other admin'), false);
    assert.equal(containsKeyword(foldText('please send it'), 'send'), true);
    assert.equal(containsKeyword(foldText('パスワードが違います'), 'ワード'), false);
    assert.equal(containsKeyword(foldText('ワードでサインインできない'), 'ワード'), true);
  });

  it('a command in a few more words counts only in a short message, and only when one command fits', () => {
    const { commands } = loadUnderstandingOnce();
    assert.equal(commands.commandInShortMessage('ヘルプお願いします'), 'help');
    assert.equal(commands.commandInShortMessage('いったん中止で'), 'cancel');
    assert.equal(commands.commandInShortMessage('can we start over'), 'restart');
    assert.equal(commands.commandInShortMessage('前の質問に戻して'), 'back');
    assert.equal(
      commands.commandInShortMessage(
        'help, Outlook keeps asking for my password every few minutes since Monday',
      ),
      undefined,
    );
    assert.equal(commands.changesMind('やっぱりライセンス認証のエラーでした'), true);
    assert.equal(commands.changesMind('Office 2019 です'), false);
  });
});

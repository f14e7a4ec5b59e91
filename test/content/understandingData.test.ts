import assert from 'node:assert/strict';
import { loadCatalog, loadUnderstandingOnce } from '../helpers/testBot';

/** content/shortcuts.json, content/commands.json and the error codes' procedures, checked against the flows. */
describe('Understanding data: shortcuts, command words, error-code procedures', () => {
  const { shortcuts, errorCodes, commands } = loadUnderstandingOnce();

  it('every shortcut and error-code procedure exists in both languages and belongs to the named flow', () => {
    for (const language of ['ja', 'en'] as const) {
      const flow = loadCatalog().flow(language);
      for (const s of shortcuts.all) {
        assert.ok(flow.hasProcedure(s.procedure), `${s.id}: ${s.procedure}`);
        assert.equal(flow.flowOf(s.procedure), s.flow, s.id);
      }
      for (const e of errorCodes.entries.filter((entry) => entry.procedure)) {
        assert.ok(flow.hasProcedure(e.procedure!), `${e.id}: ${e.procedure}`);
        assert.equal(flow.flowOf(e.procedure!), e.flow, e.id);
      }
    }
  });

  it('every shortcut names the seed section it comes from', () => {
    for (const s of shortcuts.all) assert.match(s.source, /^00[0-2]_[0-9a-f]{16}\.txt: /, s.id);
  });

  it('shortcuts need every group: the script alone, or garbling alone, is not the garbled-script remedy', () => {
    assert.equal(shortcuts.find('Signoutofwamaccounts.ps1 が文字化けします')?.id, 'garbled-signout-script');
    assert.equal(shortcuts.find('Signoutofwamaccounts.ps1 を実行しました'), undefined);
    assert.equal(shortcuts.find('メールが文字化けします'), undefined);
  });

  it('reads commands in both languages, full-width too, and a person anywhere in a sentence', () => {
    assert.equal(commands.command('ヘルプ'), 'help');
    assert.equal(commands.command('ＣＡＮＣＥＬ'), 'cancel');
    assert.equal(commands.command('最初から'), 'restart');
    assert.equal(commands.command('戻る'), 'back');
    assert.equal(commands.command('何度やってもだめなので担当者と話したい'), 'person');
    assert.equal(commands.command('Office にサインインできない'), undefined);
  });
});

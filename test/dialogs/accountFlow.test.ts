import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import type { Language } from '../../core/language';
import {
  button,
  codeBlocksOf,
  createTestBot,
  lastCard,
  loadCatalog,
  stringsOf,
  submitDataOf,
  TestConversation,
  type CardContent,
} from '../helpers/testBot';

type PathStep = { question: string; choice: string };
type Leaf = { kind: 'procedure'; id: string } | { kind: 'question'; id: string } | { kind: 'licence' };

/** Every way through the Microsoft account flow's questions, from its first question to where it leads. */
function pathsOf(language: Language): { path: PathStep[]; leaf: Leaf }[] {
  const flow = loadCatalog().flow(language);
  const results: { path: PathStep[]; leaf: Leaf }[] = [];
  const walk = (questionId: string, path: PathStep[], seen: Set<string>) => {
    for (const choice of flow.question(questionId).choices) {
      const next = [...path, { question: questionId, choice: choice.id }];
      if ('procedure' in choice.next)
        results.push({ path: next, leaf: { kind: 'procedure', id: choice.next.procedure } });
      else if ('check' in choice.next) results.push({ path: next, leaf: { kind: 'licence' } });
      else if (!choice.next.question.startsWith('account-') || seen.has(choice.next.question))
        results.push({ path: next, leaf: { kind: 'question', id: choice.next.question } });
      else walk(choice.next.question, next, new Set([...seen, choice.next.question]));
    }
  };
  const start = flow.startOf('account').id;
  walk(start, [], new Set([start]));
  return results;
}

const isStep = (card: CardContent) => submitDataOf(card).some((d) => d.action === 'diagnosis.step');

describe('Microsoft account flow (seed 002): every branch, through the bot', () => {
  for (const language of ['ja', 'en'] as const) {
    const flow = loadCatalog().flow(language);
    const paths = pathsOf(language);

    it(`covers every procedure of the flow (${language})`, () => {
      const reached = new Set(paths.flatMap((p) => (p.leaf.kind === 'procedure' ? [p.leaf.id] : [])));
      const viaFallbacks = new Set([...reached].flatMap((id) => flow.procedure(id).fallbacks));
      const accountProcedures = flow.content.procedures
        .filter((p) => p.id.startsWith('account-'))
        .map((p) => p.id);
      for (const id of accountProcedures)
        assert.ok(reached.has(id) || viaFallbacks.has(id), `${id} is not reachable`);
    });

    for (const { path, leaf } of paths) {
      const name = `${path.map((p) => p.choice).join(' › ')} → ${leaf.kind === 'licence' ? 'licence check' : leaf.id} (${language})`;
      it(name, async () => {
        const { adapter } = createTestBot();
        const conversation = new TestConversation(adapter, { locale: language === 'ja' ? 'ja-JP' : 'en-US' });
        let replies: Partial<Activity>[] = await conversation.click({
          action: 'diagnosis.start',
          flow: 'account',
        });
        for (const step of path)
          replies = await conversation.click(
            button(lastCard(replies), { action: 'diagnosis.choose', ...step }),
          );

        if (leaf.kind === 'question') {
          assert.ok(
            submitDataOf(lastCard(replies)).some((d) => d.question === leaf.id),
            `question ${leaf.id}`,
          );
          return;
        }
        if (leaf.kind === 'licence') {
          // Work or school account: handed over to the licence check (the directory is down in this test).
          assert.ok(stringsOf(lastCard(replies)).length > 0);
          assert.ok(replies.some((r) => r.text === loadCatalog().text(language, 'activation.checking')));
          return;
        }
        const procedure = flow.procedure(leaf.id);
        const seen: string[] = [];
        for (let guard = 0; guard < 30; guard++) {
          const card = lastCard(replies);
          if (isStep(card)) {
            const done = button(card, { action: 'diagnosis.step', outcome: 'done' });
            const step = flow.step(done.step);
            const strings = stringsOf(card);
            assert.ok(strings.includes(step.text), `${step.id} text`);
            for (const warning of step.warnings)
              assert.ok(strings.includes(`⚠ ${warning}`), `${step.id} warning`);
            for (const code of step.code)
              if ('text' in code)
                assert.ok(
                  codeBlocksOf(card).some((c) => c.codeSnippet === code.text),
                  `${step.id} code`,
                );
            for (const link of step.links)
              assert.ok(strings.includes(link.url), `${step.id} link ${link.url}`);
            seen.push(step.id);
            replies = await conversation.click(done);
            continue;
          }
          const notYet = submitDataOf(card).find((d) => d.action === 'diagnosis.verify' && d.answer === 'no');
          if (notYet && seen.length < procedure.steps.length) {
            replies = await conversation.click(notYet);
            continue;
          }
          break;
        }
        assert.deepEqual(seen, procedure.steps);
        replies = await conversation.click({ action: 'diagnosis.verify', procedure: leaf.id, answer: 'no' });
        const next = submitDataOf(lastCard(replies))
          .filter((d) => d.action === 'diagnosis.next')
          .map((d) => d.choice);
        assert.equal(next.at(-1), 'person', 'a person is always the last option');
        for (const fallback of procedure.fallbacks.filter((f) => f !== leaf.id))
          assert.ok(next.includes(fallback) || fallback === leaf.id, `offers ${fallback}`);
      });
    }
  }

  it('goes back to the previous question, and from the first step to the question before it', async () => {
    const { adapter } = createTestBot();
    const conversation = new TestConversation(adapter, { locale: 'en-US' });
    let replies = await conversation.click({ action: 'diagnosis.start', flow: 'account' });
    const first = submitDataOf(lastCard(replies)).find((d) => d.action === 'diagnosis.choose')!;
    replies = await conversation.click(first);
    assert.ok(
      submitDataOf(lastCard(replies)).some((d) => d.action === 'diagnosis.back'),
      'a Back button',
    );
    replies = await conversation.say('back');
    assert.ok(
      submitDataOf(lastCard(replies)).some((d) => d.question === first.question),
      'back at the first question',
    );
  });
});

import type { DialogInstance } from './dialogsLibrary';
import type { DiagnosisTrail } from '../core/diagnosis';
import { DialogIds } from './dialogIds';

/** What a dialog instance keeps that these helpers read: a component's inner stack, and the trail it was given. */
interface InstanceState {
  dialogs?: { dialogStack?: DialogInstance[] };
  options?: { trail?: DiagnosisTrail; questionId?: string; procedureId?: string };
  values?: { trail?: DiagnosisTrail };
}

const innerStack = (instance: DialogInstance): DialogInstance[] =>
  (instance.state as InstanceState | undefined)?.dialogs?.dialogStack ?? [];

/** True when a dialog with this id runs anywhere in the stack, inside components included. */
export function stackIncludes(stack: readonly DialogInstance[], dialogId: string): boolean {
  return stack.some((instance) => instance.id === dialogId || stackIncludes(innerStack(instance), dialogId));
}

/**
 * The trail of the innermost running dialog (the last stack entry is the active one). Each dialog keeps the
 * trail it was given in its options or step values, so the deepest one holds the most.
 */
export function latestTrail(stack: readonly DialogInstance[]): DiagnosisTrail | undefined {
  for (const instance of [...stack].reverse()) {
    const state = instance.state as InstanceState | undefined;
    const own = latestTrail(innerStack(instance)) ?? state?.values?.trail ?? state?.options?.trail;
    if (own) return own;
  }
  return undefined;
}

/** The innermost running dialog: the last entry of the stack, inside components too. */
export function innermostInstance(stack: readonly DialogInstance[]): DialogInstance | undefined {
  const last = stack[stack.length - 1];
  if (!last) return undefined;
  return innermostInstance(innerStack(last)) ?? last;
}

/** The first instance with this id, inside components too. */
function findInstance(stack: readonly DialogInstance[], dialogId: string): DialogInstance | undefined {
  for (const instance of stack) {
    if (instance.id === dialogId) return instance;
    const inner = findInstance(innerStack(instance), dialogId);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * What the running diagnosis is about, for telemetry's turns by flow: the escalation, the activation check, or
 * the content question or procedure a content flow was started at (the caller maps it to its flow).
 */
export function runningFlow(
  stack: readonly DialogInstance[],
): { flow: 'person' | 'activation' } | { contentId?: string } | undefined {
  if (stackIncludes(stack, DialogIds.escalation)) return { flow: 'person' };
  if (stackIncludes(stack, DialogIds.activation)) return { flow: 'activation' };
  const content = findInstance(stack, DialogIds.contentFlow);
  if (!content) return undefined;
  // A component keeps no options of its own: the question or procedure is in the innermost dialog that has one.
  return { contentId: innermostContentId([content]) };
}

function innermostContentId(stack: readonly DialogInstance[]): string | undefined {
  for (const instance of [...stack].reverse()) {
    const inner = innermostContentId(innerStack(instance));
    if (inner) return inner;
    const options = (instance.state as InstanceState | undefined)?.options;
    if (options?.procedureId ?? options?.questionId) return options?.procedureId ?? options?.questionId;
  }
  return undefined;
}

/**
 * Changes the trail that a running dialog (and the dialogs inside it) keeps, in place: for facts that arrive while
 * it waits, such as a PC check pasted at the escalation form. False when that dialog is not running.
 */
export function updateTrailIn(
  stack: readonly DialogInstance[],
  dialogId: string,
  update: (trail: DiagnosisTrail) => DiagnosisTrail,
): boolean {
  const owner = findInstance(stack, dialogId);
  if (!owner) return false;
  const visit = (instance: DialogInstance) => {
    const state = instance.state as InstanceState | undefined;
    if (state?.options?.trail) state.options.trail = update(state.options.trail);
    if (state?.values?.trail) state.values.trail = update(state.values.trail);
    innerStack(instance).forEach(visit);
  };
  visit(owner);
  return true;
}

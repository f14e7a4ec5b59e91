import type { DialogInstance } from './dialogsLibrary';
import type { DiagnosisTrail } from '../core/diagnosis';

/** What a dialog instance keeps that these helpers read: a component's inner stack, and the trail it was given. */
interface InstanceState {
  dialogs?: { dialogStack?: DialogInstance[] };
  options?: { trail?: DiagnosisTrail };
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

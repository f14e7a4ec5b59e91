/** Dialog ids, stored in dialog state: renaming one strands conversations that are mid-dialog. */
export const DialogIds = {
  main: 'main',
  mainFlow: 'main.flow',
  contentFlow: 'contentFlow',
  contentFlowSteps: 'contentFlow.steps',
  procedure: 'procedure',
  procedureStep: 'procedure.step',
  procedureChecklist: 'procedure.checklist',
  procedureVerify: 'procedure.verify',
  procedureNext: 'procedure.next',
  procedureRemedy: 'procedure.remedy',
  activation: 'activation',
  activationFlow: 'activation.flow',
  cardPrompt: 'cardPrompt',
  escalation: 'escalation',
  escalationFlow: 'escalation.flow',
  escalationPrompt: 'escalation.prompt',
} as const;

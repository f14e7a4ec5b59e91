import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';

/**
 * CloudAdapter that runs a turn for a request the server has already authenticated. `CloudAdapter.process`
 * authenticates and answers failures itself, with the error's text as the body and a 500 when Microsoft's keys
 * cannot be fetched; the server authenticates first instead (bot/server.ts), so failures get fixed answers.
 */
export class AuthenticatedAdapter extends CloudAdapter {
  constructor(readonly authentication: BotFrameworkAuthentication) {
    super(authentication);
  }

  runAuthenticated(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

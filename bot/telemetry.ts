import { metrics, type Attributes } from '@opentelemetry/api';
import type { HelpDeskEvent, HelpDeskEvents } from '../core/stats/helpDeskEvents';
import type { Logger } from './logger';

/**
 * What the bot reports to Application Insights through OpenTelemetry: turns by route, the help desk's events
 * (fixes that worked, escalations, time to take), Graph latency, retries and throttles, and outbox lag. Off
 * (every call a no-op) unless APPLICATIONINSIGHTS_CONNECTION_STRING is set.
 */
export interface Telemetry extends HelpDeskEvents {
  /** `flow`: the diagnosis the turn started or continued (signin-repair, activation, account, person), or none. */
  turn(route: string, flow: string): void;
  graphCall(operation: string, durationMs: number, outcome: string): void;
  graphRetry(operation: string, reason: 'throttled' | 'retry' | 'malformed', retryAfterMs?: number): void;
  /** A ticket delivery went out, this long after it was queued. */
  outboxDelivered(kind: string, lagMs: number): void;
  /** Sends what is still buffered; called on shutdown. */
  shutdown(): Promise<void>;
}

export const noTelemetry: Telemetry = {
  record: () => {},
  turn: () => {},
  graphCall: () => {},
  graphRetry: () => {},
  outboxDelivered: () => {},
  shutdown: async () => {},
};

const METER = 'signin-desk';

/** Custom metrics on the global meter (the Azure Monitor distro's, once started). */
export class MeterTelemetry implements Telemetry {
  private readonly meter = metrics.getMeter(METER);
  private readonly turns = this.meter.createCounter('signin_desk.turns', {
    description: 'Turns by flow and by the route that handled them',
  });
  private readonly helpDesk = this.meter.createCounter('signin_desk.help_desk_events', {
    description: 'Diagnoses, flows, fix outcomes, licence findings and ticket changes',
  });
  private readonly timeToTake = this.meter.createHistogram('signin_desk.ticket.time_to_take', {
    description: 'Minutes from a ticket being opened to an agent taking it',
    unit: 'min',
  });
  private readonly graphDuration = this.meter.createHistogram('signin_desk.graph.duration', {
    description: 'Microsoft Graph operations, retries included',
    unit: 'ms',
  });
  private readonly graphRetries = this.meter.createCounter('signin_desk.graph.retries', {
    description: 'Graph requests sent again: throttled (429), failed (5xx, timeout) or malformed',
  });
  private readonly outboxLag = this.meter.createHistogram('signin_desk.outbox.lag', {
    description: 'From a ticket delivery being queued to Teams accepting it',
    unit: 'ms',
  });

  constructor(private readonly stop: () => Promise<void> = async () => {}) {}

  record(event: HelpDeskEvent): void {
    this.helpDesk.add(1, attributesOf(event));
    if (event.kind === 'ticketTaken') this.timeToTake.record(event.minutes);
  }

  turn(route: string, flow: string): void {
    this.turns.add(1, { route, flow });
  }

  graphCall(operation: string, durationMs: number, outcome: string): void {
    this.graphDuration.record(durationMs, { operation, outcome });
  }

  graphRetry(operation: string, reason: 'throttled' | 'retry' | 'malformed', retryAfterMs?: number): void {
    this.graphRetries.add(1, { operation, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  outboxDelivered(kind: string, lagMs: number): void {
    this.outboxLag.record(lagMs, { kind });
  }

  shutdown(): Promise<void> {
    return this.stop();
  }
}

/** Low-cardinality attributes only: kinds, flows, procedure and step ids, finding codes; never a person. */
function attributesOf(event: HelpDeskEvent): Attributes {
  switch (event.kind) {
    case 'flowUsed':
      return { event: event.kind, flow: event.flow };
    case 'stepNotHelped':
      return { event: event.kind, procedure: event.procedure, step: event.step };
    case 'procedureVerified':
      return { event: event.kind, procedure: event.procedure, step: event.step ?? '', fixed: event.fixed };
    case 'licenceChecked':
      return {
        event: event.kind,
        findings: event.unavailable ? 'unavailable' : [...event.findings].sort().join(',') || 'none',
      };
    case 'ticketOpened':
      return { event: event.kind, category: event.category };
    case 'ticketRated':
      return { event: event.kind, solved: event.solved, rating: event.rating ?? 0 };
    default:
      return { event: event.kind };
  }
}

/**
 * Starts the Azure Monitor OpenTelemetry distro (traces of incoming requests and outgoing HTTP, plus the custom
 * metrics above) when a connection string is set; otherwise nothing is loaded.
 */
export function startTelemetry(connectionString: string | undefined, logger: Logger): Telemetry {
  if (!connectionString) return noTelemetry;
  // Loaded only when used: the distro patches http and pulls in the whole OpenTelemetry SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    enableLiveMetrics: false,
  });
  logger.info('telemetry: sending to Application Insights');
  return new MeterTelemetry(() => monitor.shutdownAzureMonitor());
}

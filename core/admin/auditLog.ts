/** One admin query, as kept for later review. */
export interface AuditEntry {
  at: string;
  /** The requester's Entra object id and name as Teams reported them. */
  requesterId: string;
  requesterName: string;
  action: 'license' | 'licenses' | 'licenseGroup' | 'audit';
  /** What was asked about: a UPN, a name, a group, or nothing. */
  target: string;
  outcome: 'shown' | 'refused' | 'notFound' | 'ambiguous' | 'unavailable';
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
}

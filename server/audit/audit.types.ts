export type AuditEntry = {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  summary: string;
  ip: string | null;
};

export type AuditQuery = {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  from?: number;
  to?: number;
  page: number;
  pageSize: number;
};

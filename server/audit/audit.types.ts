import type { Message } from "../core/message.js";

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
  /** The summary as a locale key, for lines recorded with one. */
  said: Message | null;
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

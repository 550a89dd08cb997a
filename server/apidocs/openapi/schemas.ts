import { DRIVERS, JOB_STATUSES, PAPERS, SIDES } from "../../../print/index.js";
import { OUTBOX_STATES } from "../../notify/index.js";
import { STATUSES } from "../../people/index.js";
import { z } from "./zod.js";

/**
 * The answers of /api/v1 and the request bodies that have no zod schema of their own
 * (their routes check them field by field): what the API description shows, and what the
 * tests check every answer against. Objects are open (extra keys allowed): a field added
 * later is not a breaking change.
 */

const id = z.number().int().positive();
const time = z.string().datetime({ offset: true });
const nullableText = z.string().nullable();
const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/)
  .openapi({ description: "a language of locales/, e.g. en, es" });

export const Problem = z
  .object({
    type: z.string().openapi({ example: "about:blank" }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.record(z.string()).optional().openapi({ description: "On 400: what is wrong with each field, by field name." }),
    reason: z
      .enum(["expired", "revoked", "used"])
      .optional()
      .openapi({ description: "On 410 from /invitations/redeem: why the invitation no longer works." }),
    existing: z
      .object({ type: z.string(), id, url: z.string() })
      .passthrough()
      .optional()
      .openapi({ description: "On 409 for a duplicate: the record that already has the value." }),
  })
  .passthrough()
  .openapi({ description: "An error, as RFC 9457 problem details (application/problem+json)." });

export const GroupRef = z.object({ id, name: z.string() });

export const User = z
  .object({
    id,
    firstName: z.string(),
    lastName: z.string(),
    email: nullableText,
    phone: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/)
      .nullable()
      .openapi({ description: "E.164" }),
    phoneConsent: z.boolean(),
    phoneConsentAt: time.nullable(),
    phoneConsentBy: nullableText,
    employeeId: nullableText,
    department: nullableText,
    site: nullableText,
    language,
    status: z.enum(STATUSES),
    groups: z.array(GroupRef),
    createdAt: time,
    updatedAt: time,
    joinedAt: time.nullable(),
    joinedChannel: nullableText.openapi({ description: "How they joined: link, qr, code, kiosk, phone or app." }),
    deactivatedAt: time.nullable(),
  })
  .passthrough();

export const UserList = z.object({
  items: z.array(User),
  total: z.number().int().min(0),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
});

export const Group = z
  .object({
    id,
    name: z.string(),
    memberCount: z.number().int().min(0),
    pendingCount: z.number().int().min(0),
    createdAt: time,
    updatedAt: time,
  })
  .passthrough();

export const GroupWithMembers = Group.extend({
  members: z.array(z.object({ id, firstName: z.string(), lastName: z.string(), status: z.enum(STATUSES) }).passthrough()),
}).passthrough();

export const Invitation = z
  .object({
    url: z.string().url(),
    code: z.string(),
    state: z.enum(["active", "expired", "revoked", "used"]),
    createdAt: time,
    expiresAt: time.nullable(),
  })
  .passthrough();

export const Redeemed = z.object({
  user: z.object({ id, firstName: z.string(), lastName: z.string(), language }).passthrough(),
  organization: z.object({ name: z.string() }).passthrough(),
});

export const SentInvitation = z.object({ id, channel: z.enum(["email", "sms"]), state: z.enum(OUTBOX_STATES) });

export const Kiosk = z
  .object({
    id,
    name: z.string(),
    site: nullableText,
    language,
    rotateSeconds: z.number().int().positive(),
    rotateSecondsSetting: z.number().int().positive().nullable(),
    idleMessage: nullableText,
    paired: z.boolean(),
    pairedAt: time.nullable(),
    lastSeenAt: time.nullable(),
    createdAt: time,
    enrollExpiresAt: time.nullable(),
    online: z.boolean(),
    showing: z.array(
      z.object({ userId: id, label: z.string(), shown: z.boolean(), expiresAt: time.nullable(), welcome: z.boolean() }),
    ),
  })
  .passthrough();

export const KioskWithLink = Kiosk.extend({
  enrollUrl: z.string().url().nullable().optional().openapi({
    description: "Open it on the screen to pair it; null when none is open; only for keys that also hold invitations.",
  }),
}).passthrough();

export const Printer = z
  .object({
    id,
    name: z.string(),
    site: nullableText,
    driver: z.enum(DRIVERS),
    uri: z.string(),
    paper: z.enum(PAPERS),
    sides: z.enum(SIDES),
    copies: z.number().int().positive(),
    siteDefault: z.boolean(),
    username: nullableText,
    hasPassword: z.boolean().openapi({ description: "The password itself is write-only." }),
    createdAt: time,
    updatedAt: time,
  })
  .passthrough();

export const PrinterStatus = z
  .object({
    state: z.enum(["idle", "processing", "stopped", "unreachable"]),
    reasons: z.array(z.string()),
    formats: z.array(z.string()),
    media: z.object({ supported: z.array(z.string()), ready: z.array(z.string()) }),
    markers: z.array(z.object({ name: z.string(), level: z.number().nullable(), kind: nullableText })),
    acceptingJobs: z.boolean().nullable(),
    makeAndModel: nullableText,
    warnings: z.array(z.string()),
    error: nullableText,
    checkedAt: time,
  })
  .passthrough();

export const PrintJob = z
  .object({
    id,
    status: z.enum(JOB_STATUSES),
    printerId: id.nullable(),
    printerName: z.string(),
    kind: z.enum(["now", "batch"]),
    batchId: id.nullable(),
    jobNumber: z.number().int(),
    jobCount: z.number().int(),
    letters: z.number().int().min(0),
    attempts: z.number().int().min(0),
    nextAttemptAt: time.nullable(),
    printerJobId: nullableText,
    printerState: nullableText,
    error: nullableText,
    createdBy: nullableText,
    createdAt: time,
    updatedAt: time,
    completedAt: time.nullable(),
  })
  .passthrough();

export const QueuedTonight = z.object({
  id: z.null(),
  status: z.literal("queued"),
  when: z.literal("tonight"),
  printerId: id.nullable(),
  queued: z.number().int().min(0),
});

export const BatchRun = z.object({
  batch: z
    .object({
      id,
      trigger: z.string(),
      startedBy: nullableText,
      jobs: z.number().int().min(0),
      letters: z.number().int().min(0),
      startedAt: time,
      finishedAt: time.nullable(),
    })
    .passthrough(),
  jobs: z.array(PrintJob),
  noPrinter: z.number().int().min(0).openapi({ description: "People left waiting: no printer serves their site." }),
  deadLinks: z.number().int().min(0).openapi({ description: "People left waiting: their link expired or was revoked." }),
});

export const listOf = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), total: z.number().int().min(0) });

// Request bodies whose routes check them field by field (each error names its field).
export const RedeemBody = z.object({
  token: z.string().max(300).openapi({ description: "The link, its token, or the typed code." }),
  channel: z.enum(["app", "qr", "code", "link", "kiosk"]).optional(),
});
export const SendBody = z.object({ channel: z.enum(["email", "sms"]) });
export const NameBody = z.object({ name: z.string().min(1).max(191) });
export const PhoneBody = z.object({
  phone: z.string().openapi({ description: "Any format the default country reads; E.164 is safest." }),
});
export const KioskBody = z.object({
  name: z.string().min(1).max(100),
  site: z.string().max(100).nullable().optional(),
  language: language.optional(),
  rotateSeconds: z.number().int().positive().nullable().optional(),
  idleMessage: z.string().nullable().optional(),
});
export const PairBody = z.object({ code: z.string().openapi({ description: "The pairing code the screen shows." }) });
export const DisplayBody = z.object({ userId: id });
export const PrinterBody = z.object({
  name: z.string().min(1).max(100),
  site: z.string().max(100).nullable().optional(),
  driver: z.enum(DRIVERS),
  uri: z.string().openapi({ description: "ipp://, ipps://, http(s):// (IPP), a CUPS queue name or a Windows printer name." }),
  paper: z.enum(PAPERS).optional(),
  sides: z.enum(SIDES).optional(),
  copies: z.number().int().positive().optional(),
  siteDefault: z.boolean().optional(),
  username: z.string().nullable().optional(),
  password: z.string().nullable().optional().openapi({ description: "Write-only; null removes it, absent keeps it." }),
});
export const PrintJobBody = z.object({
  printerId: id.nullable().optional().openapi({ description: "Absent: the default printer of the first person's site." }),
  userIds: z.array(id).min(1),
  when: z.enum(["now", "tonight"]).default("now"),
});

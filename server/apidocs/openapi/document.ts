import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, STATUSES, userIdsSchema, userInputSchema } from "../../people/index.js";
import * as s from "./schemas.js";
import { z } from "./zod.js";

type Scope = "users" | "groups" | "invitations" | "registrations" | "kiosks" | "printers";
type Method = RouteConfig["method"];
type Answer = { status: number; description: string; schema?: z.ZodTypeAny; type?: string };

const PROBLEM = "application/problem+json";
const pathId = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d*$/)
    .openapi({ description: `The ${what}'s id` });

/**
 * Builds the OpenAPI 3.1 description of /api/v1 from the zod schemas: the request bodies
 * the routes validate with (people, group members) and those of ./schemas.ts, and every
 * answer. Paths are relative to the server URL `/api/v1`.
 */
function build(version: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key (`npm run --silent cli -- apikey create --name N --scopes a,b`, or Administration → API keys).",
  });
  const ref = <T extends z.ZodTypeAny>(name: string, schema: T) => registry.register(name, schema);
  const Problem = ref("Problem", s.Problem);
  const User = ref("User", s.User);
  const Group = ref("Group", s.Group);
  const Invitation = ref("Invitation", s.Invitation);
  const Kiosk = ref("Kiosk", s.Kiosk);
  const KioskWithLink = ref("KioskWithLink", s.KioskWithLink);
  const Printer = ref("Printer", s.Printer);
  const PrinterStatus = ref("PrinterStatus", s.PrinterStatus);
  const PrintJob = ref("PrintJob", s.PrintJob);
  const UserInput = ref("UserInput", userInputSchema);

  const op = (
    method: Method,
    path: string,
    o: {
      scope: Scope | null;
      summary: string;
      tag: string;
      params?: Record<string, string>;
      query?: z.AnyZodObject;
      body?: z.ZodTypeAny;
      answers: Answer[];
    },
  ) => {
    const problems: Answer[] = [
      { status: 400, description: "Invalid input: `errors` names each field" },
      ...(o.scope
        ? [
            { status: 401, description: "No valid API key" },
            { status: 403, description: `The key lacks scope ${o.scope}` },
          ]
        : []),
    ];
    const responses: RouteConfig["responses"] = {};
    for (const a of [...o.answers, ...problems]) {
      if (responses[a.status]) continue;
      const type = a.type ?? (a.status >= 400 ? PROBLEM : "application/json");
      const schema = a.schema ?? (a.status >= 400 ? Problem : undefined);
      responses[a.status] = schema
        ? { description: a.description, content: { [type]: { schema } } }
        : { description: a.description };
    }
    responses.default = { description: "Any other error", content: { [PROBLEM]: { schema: Problem } } };
    const params = o.params ? z.object(Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, pathId(v)]))) : undefined;
    registry.registerPath({
      method,
      path,
      summary: o.summary,
      description: o.scope ? `API key scope: \`${o.scope}\`.` : "Public: no API key.",
      tags: [o.tag],
      security: o.scope ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(params && { params }),
        ...(o.query && { query: o.query }),
        ...(o.body && { body: { required: true, content: { "application/json": { schema: o.body } } } }),
      },
      responses,
    });
  };
  const notFound = (what: string): Answer => ({ status: 404, description: `No such ${what}` });
  const conflict = (why: string): Answer => ({ status: 409, description: why });
  const noContent = (description: string): Answer => ({ status: 204, description });
  const pdf: Answer = {
    status: 200,
    description: "The letters as one PDF, a page per person",
    type: "application/pdf",
    schema: z.string().openapi({ format: "binary" }),
  };
  const user = { id: "person" };
  const group = { id: "group" };
  const kiosk = { id: "kiosk" };
  const printer = { id: "printer" };

  // People
  op("post", "/users", {
    scope: "users",
    tag: "People",
    summary: "Register a person (pending until they join)",
    body: UserInput,
    answers: [
      { status: 201, description: "Registered", schema: User },
      conflict("Another person has this email, phone or employee id (`existing` names them)"),
    ],
  });
  op("get", "/users", {
    scope: "users",
    tag: "People",
    summary: "List and search people",
    query: z.object({
      q: z.string().max(100).optional().openapi({ description: "Search in names, email, phone, employee id" }),
      status: z.enum(STATUSES).optional(),
      group: z.string().regex(/^\d+$/).optional().openapi({ description: "A group id" }),
      department: z.string().optional(),
      site: z.string().optional(),
      sort: z.enum(["name", "created", "status", "department", "site"]).optional(),
      dir: z.enum(["asc", "desc"]).optional(),
      page: z.string().regex(/^\d+$/).optional().openapi({ description: "From 1" }),
      pageSize: z
        .string()
        .regex(/^\d+$/)
        .optional()
        .openapi({ description: `1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}` }),
    }),
    answers: [{ status: 200, description: "A page of people", schema: s.UserList }],
  });
  op("get", "/users/{id}/export", {
    scope: "users",
    tag: "People",
    summary: "Everything stored about the person, for an access request (no link, code or other secret)",
    params: user,
    answers: [{ status: 200, description: "The person's data", schema: z.object({}).passthrough() }, notFound("person")],
  });
  op("get", "/users/{id}", {
    scope: "users",
    tag: "People",
    summary: "A person",
    params: user,
    answers: [{ status: 200, description: "The person", schema: User }, notFound("person")],
  });
  op("patch", "/users/{id}", {
    scope: "users",
    tag: "People",
    summary: "Change a person's fields; `status: deactivated` deactivates, `pending`/`active` reactivates",
    params: user,
    body: userInputSchema.partial().extend({ status: z.enum(STATUSES).optional() }),
    answers: [
      { status: 200, description: "The person after the change", schema: User },
      notFound("person"),
      conflict("Another person has this email, phone or employee id"),
    ],
  });
  op("delete", "/users/{id}", {
    scope: "users",
    tag: "People",
    summary: "Erase a person",
    params: user,
    answers: [noContent("Erased"), notFound("person")],
  });

  // Invitations
  const invitationOp = (method: Method, path: string, summary: string) =>
    op(method, path, {
      scope: "invitations",
      tag: "Invitations",
      summary,
      params: user,
      answers: [
        { status: 200, description: "The person's current invitation", schema: Invitation },
        notFound("person"),
        conflict("The person has joined or is deactivated"),
      ],
    });
  invitationOp("get", "/users/{id}/invitation", "A person's invitation: its link and typed code");
  invitationOp("post", "/users/{id}/invitation/regenerate", "A new link and code; the old ones stop working at once");
  invitationOp("post", "/users/{id}/invitation/revoke", "Stop the person's link and code");
  op("post", "/users/{id}/invitation/send", {
    scope: "invitations",
    tag: "Invitations",
    summary: "Send the invitation by email or SMS",
    params: user,
    body: s.SendBody,
    answers: [
      { status: 202, description: "Queued in the outbox", schema: s.SentInvitation },
      notFound("person"),
      conflict("The channel cannot reach the person (no address, no consent, joined, deactivated)"),
    ],
  });
  const paper = z.object({
    paper: z.enum(["A4", "Letter"]).optional().openapi({ description: "Default: the organization country's custom" }),
  });
  op("get", "/users/{id}/invitation.pdf", {
    scope: "invitations",
    tag: "Invitations",
    summary: "A person's invitation letter (PDF)",
    params: user,
    query: paper,
    answers: [pdf, notFound("person"), conflict("The person is not pending")],
  });
  op("get", "/groups/{id}/invitations.pdf", {
    scope: "invitations",
    tag: "Invitations",
    summary: "The letters of a group's pending members (PDF)",
    params: group,
    query: paper,
    answers: [pdf, notFound("group"), conflict("The group has no pending members")],
  });
  op("post", "/invitations/redeem", {
    scope: null,
    tag: "Invitations",
    summary: "Redeem an invitation (the app, after a scan or a link); rate-limited",
    body: s.RedeemBody,
    answers: [
      { status: 200, description: "Joined", schema: s.Redeemed },
      notFound("invitation for this token or code"),
      { status: 410, description: "Expired, revoked or used: `reason` says which" },
      { status: 429, description: "Too many attempts from this address (Retry-After)" },
    ],
  });

  // Groups
  op("post", "/groups", {
    scope: "groups",
    tag: "Groups",
    summary: "Create a group",
    body: s.NameBody,
    answers: [{ status: 201, description: "Created", schema: Group }, conflict("A group has this name")],
  });
  op("get", "/groups", {
    scope: "groups",
    tag: "Groups",
    summary: "All groups",
    answers: [{ status: 200, description: "The groups", schema: s.listOf(Group) }],
  });
  op("get", "/groups/{id}", {
    scope: "groups",
    tag: "Groups",
    summary: "A group and its members with their status",
    params: group,
    answers: [{ status: 200, description: "The group", schema: s.GroupWithMembers }, notFound("group")],
  });
  op("patch", "/groups/{id}", {
    scope: "groups",
    tag: "Groups",
    summary: "Rename a group",
    params: group,
    body: s.NameBody,
    answers: [{ status: 200, description: "The group", schema: Group }, notFound("group"), conflict("A group has this name")],
  });
  op("delete", "/groups/{id}", {
    scope: "groups",
    tag: "Groups",
    summary: "Delete a group (its people stay)",
    params: group,
    answers: [noContent("Deleted"), notFound("group")],
  });
  op("post", "/groups/{id}/members", {
    scope: "groups",
    tag: "Groups",
    summary: "Add people to a group",
    params: group,
    body: z.object({ userIds: userIdsSchema }),
    answers: [
      {
        status: 200,
        description: "The ids added (those not already members)",
        schema: z.object({ added: z.array(z.number().int()) }),
      },
      notFound("group or person"),
    ],
  });
  op("put", "/groups/{id}/members/{userId}", {
    scope: "groups",
    tag: "Groups",
    summary: "Add a person to a group",
    params: { ...group, userId: "person" },
    answers: [noContent("A member"), notFound("group or person")],
  });
  op("delete", "/groups/{id}/members/{userId}", {
    scope: "groups",
    tag: "Groups",
    summary: "Remove a person from a group",
    params: { ...group, userId: "person" },
    answers: [noContent("Not a member"), notFound("group or person")],
  });

  // Registrations
  op("post", "/registrations/phone", {
    scope: "registrations",
    tag: "Registrations",
    summary: "Join the pending person with this (verified) phone number",
    body: s.PhoneBody,
    answers: [
      { status: 200, description: "The joined person", schema: User },
      notFound("pending person with phone consent and this number"),
      conflict("Several people match: nobody is joined, the admins are alerted"),
    ],
  });

  // Kiosks
  op("post", "/kiosks", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Add a kiosk; `enrollUrl` pairs its screen",
    body: s.KioskBody,
    answers: [{ status: 201, description: "Created", schema: KioskWithLink }],
  });
  op("get", "/kiosks", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "All kiosks, whether online and who they show",
    answers: [{ status: 200, description: "The kiosks", schema: s.listOf(Kiosk) }],
  });
  op("get", "/kiosks/{id}", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "A kiosk",
    params: kiosk,
    answers: [{ status: 200, description: "The kiosk", schema: KioskWithLink }, notFound("kiosk")],
  });
  op("patch", "/kiosks/{id}", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Change a kiosk",
    params: kiosk,
    body: s.KioskBody.partial(),
    answers: [{ status: 200, description: "The kiosk", schema: Kiosk }, notFound("kiosk")],
  });
  op("delete", "/kiosks/{id}", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Remove a kiosk",
    params: kiosk,
    answers: [noContent("Removed"), notFound("kiosk")],
  });
  op("post", "/kiosks/{id}/enroll-link", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "A new one-time pairing link",
    params: kiosk,
    answers: [{ status: 200, description: "The link", schema: z.object({ enrollUrl: z.string().url() }) }, notFound("kiosk")],
  });
  op("post", "/kiosks/{id}/pair", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Pair the screen showing this code",
    params: kiosk,
    body: s.PairBody,
    answers: [{ status: 200, description: "The kiosk, paired", schema: Kiosk }, notFound("kiosk")],
  });
  op("post", "/kiosks/{id}/unpair", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Unpair the kiosk's screen",
    params: kiosk,
    answers: [{ status: 200, description: "The kiosk", schema: Kiosk }, notFound("kiosk")],
  });
  op("post", "/kiosks/{id}/display", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Show a pending person's rotating code on the kiosk",
    params: kiosk,
    body: s.DisplayBody,
    answers: [
      { status: 201, description: "Added to the screen", schema: Kiosk },
      { status: 200, description: "Already on the screen (its time restarts)", schema: Kiosk },
      notFound("kiosk or person"),
      conflict("The person is not pending"),
    ],
  });
  op("delete", "/kiosks/{id}/display/{userId}", {
    scope: "kiosks",
    tag: "Kiosks",
    summary: "Take a person off the kiosk",
    params: { ...kiosk, userId: "person" },
    answers: [noContent("Off the screen"), notFound("kiosk or person")],
  });

  // Printers and print jobs
  op("post", "/printers", {
    scope: "printers",
    tag: "Printing",
    summary: "Add a printer",
    body: s.PrinterBody,
    answers: [{ status: 201, description: "Added", schema: Printer }],
  });
  op("get", "/printers", {
    scope: "printers",
    tag: "Printing",
    summary: "All printers",
    answers: [{ status: 200, description: "The printers", schema: s.listOf(Printer) }],
  });
  op("get", "/printers/{id}", {
    scope: "printers",
    tag: "Printing",
    summary: "A printer",
    params: printer,
    answers: [{ status: 200, description: "The printer", schema: Printer }, notFound("printer")],
  });
  op("patch", "/printers/{id}", {
    scope: "printers",
    tag: "Printing",
    summary: "Change a printer",
    params: printer,
    body: s.PrinterBody.partial(),
    answers: [{ status: 200, description: "The printer", schema: Printer }, notFound("printer")],
  });
  op("delete", "/printers/{id}", {
    scope: "printers",
    tag: "Printing",
    summary: "Remove a printer",
    params: printer,
    answers: [noContent("Removed"), notFound("printer"), conflict("The printer has jobs in progress")],
  });
  op("get", "/printers/{id}/status", {
    scope: "printers",
    tag: "Printing",
    summary: "Ask the printer how it is (IPP Get-Printer-Attributes)",
    params: printer,
    answers: [{ status: 200, description: "Its state, reasons and formats", schema: PrinterStatus }, notFound("printer")],
  });
  op("post", "/print-jobs", {
    scope: "printers",
    tag: "Printing",
    summary: "Print letters now, or queue them for tonight's batch",
    body: s.PrintJobBody,
    answers: [
      { status: 201, description: "A job, to follow by its id", schema: PrintJob },
      { status: 202, description: "Queued for tonight", schema: s.QueuedTonight },
      notFound("printer or person"),
      conflict("Someone is not pending, or their invitation no longer works"),
    ],
  });
  op("get", "/print-jobs", {
    scope: "printers",
    tag: "Printing",
    summary: "Recent print jobs (at most 200)",
    query: z.object({ batch: z.string().regex(/^\d+$/).optional().openapi({ description: "Only this batch's jobs" }) }),
    answers: [{ status: 200, description: "The jobs", schema: s.listOf(PrintJob) }],
  });
  op("get", "/print-jobs/{id}", {
    scope: "printers",
    tag: "Printing",
    summary: "A print job",
    params: { id: "print job" },
    answers: [{ status: 200, description: "The job", schema: PrintJob }, notFound("print job")],
  });
  op("post", "/print-jobs/{id}/cancel", {
    scope: "printers",
    tag: "Printing",
    summary: "Cancel a print job",
    params: { id: "print job" },
    answers: [{ status: 200, description: "The job", schema: PrintJob }, notFound("print job"), conflict("The job has finished")],
  });
  op("post", "/print-jobs/{id}/decision", {
    scope: "printers",
    tag: "Printing",
    summary: "Decide an unconfirmed job: print it again, or mark it as printed (needs invitations too)",
    params: { id: "print job" },
    body: z.object({ decision: z.enum(["reprint", "printed"]) }),
    answers: [
      { status: 200, description: "The job", schema: PrintJob },
      notFound("print job"),
      conflict("The job does not wait for a decision"),
    ],
  });
  op("get", "/print-jobs/{id}/history", {
    scope: "printers",
    tag: "Printing",
    summary: "What happened to a print job, each decision with the printer's evidence",
    params: { id: "print job" },
    answers: [
      {
        status: 200,
        description: "The history, oldest first",
        schema: z.object({
          items: z.array(
            z.object({
              at: z.string(),
              kind: z.string(),
              summary: z.string(),
              evidence: z.record(z.unknown()).nullable(),
              actor: z.string().nullable(),
            }),
          ),
        }),
      },
      notFound("print job"),
    ],
  });
  op("post", "/print-batches/run", {
    scope: "printers",
    tag: "Printing",
    summary: "Run the overnight batch now",
    answers: [{ status: 201, description: "The batch and the jobs it started", schema: s.BatchRun }],
  });

  // This document
  op("get", "/openapi.json", {
    scope: null,
    tag: "API",
    summary: "This description (OpenAPI 3.1)",
    answers: [{ status: 200, description: "The document", schema: z.object({ openapi: z.string() }).passthrough() }],
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Invite Station API",
      version,
      description:
        "Integrations (HR sync, the messaging platform) through JSON: people, groups, invitations, kiosks and printing. " +
        "Send `Authorization: Bearer <api key>`; errors are `application/problem+json` (RFC 9457).",
    },
    servers: [{ url: "/api/v1" }],
  });
}

let built: ReturnType<typeof build> | null = null;

/** The document, built once per process (it only changes with the code). */
export function openApiDocument(version = "1"): ReturnType<typeof build> {
  built ??= build(version);
  return built;
}

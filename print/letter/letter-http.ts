import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Response } from "express";
import { ConflictError, ValidationError } from "../../server/core/errors.js";
import type { Actor, EventBus } from "../../server/core/events.js";
import type { GroupsService, UsersService } from "../../server/people/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { LetterService } from "./letter.service.js";
import { isPaper, PAPER_SIZES, type Paper } from "./paper.js";

/** What the letter downloads (pages and API) need. */
export type LetterHttpDeps = {
  letters: Pick<LetterService, "stream">;
  settings: Pick<SettingsService, "get">;
  groups: Pick<GroupsService, "get" | "members">;
  users: Pick<UsersService, "get">;
  events: EventBus;
};

/** Where paper is Letter-sized by custom (the Americas mostly); A4 everywhere else. */
const LETTER_COUNTRIES = new Set(["US", "CA", "MX", "PR", "GT", "SV", "HN", "NI", "CR", "PA", "DO", "CO", "VE", "CL", "PH"]);

/** The paper a download asked for (`?paper=A4|Letter`), else the organization country's custom. */
export async function paperFor(deps: Pick<LetterHttpDeps, "settings">, raw: unknown): Promise<Paper> {
  if (raw === undefined || raw === "") {
    const { defaultCountry } = await deps.settings.get();
    return LETTER_COUNTRIES.has(defaultCountry) ? "Letter" : "A4";
  }
  if (isPaper(raw)) return raw;
  throw new ValidationError({ paper: `must be one of ${PAPER_SIZES.join(", ")}` });
}

/** The pending members of a group, in the group's name order; refused (409) when there are none. */
export async function pendingMembers(deps: Pick<LetterHttpDeps, "groups">, groupId: number): Promise<number[]> {
  await deps.groups.get(groupId);
  const ids = (await deps.groups.members(groupId)).filter((m) => m.status === "pending").map((m) => m.id);
  if (!ids.length) throw new ConflictError(`Group #${groupId} has no pending members: there is nothing to print.`);
  return ids;
}

/** A file name without accents or anything a download dialog would choke on. */
export function fileSlug(text: string): string {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "letters"
  );
}

/**
 * Sends a PDF of letters as a download. `no-store`: the letters carry personal secrets,
 * no cache or proxy may keep them. A failure once bytes are out can only cut the download.
 */
export async function sendPdf(res: Response, pdf: Readable, filename: string): Promise<void> {
  res.status(200);
  res.setHeader("Content-Type", "application/pdf");
  res.setHeader("Content-Disposition", `attachment; filename="${filename}"`);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  try {
    await pipeline(pdf, res);
  } catch (err) {
    if (!res.destroyed) res.destroy(err as Error);
  }
}

/**
 * Records a download in the audit trail (and for anyone listening on the bus). The summary
 * names record numbers only, never the people.
 */
export async function announceDownload(
  deps: Pick<LetterHttpDeps, "events">,
  actor: Actor,
  what: { userIds: number[]; paper: Paper; groupId?: number },
): Promise<void> {
  const n = what.userIds.length;
  const letters = n === 1 ? "the invitation letter" : `${n} invitation letters`;
  const whose =
    what.groupId !== undefined
      ? ` of the pending members of group #${what.groupId}`
      : n === 1
        ? ` of person #${what.userIds[0]}`
        : " of selected people";
  await deps.events.emit("invitation.letter.downloaded", {
    actor,
    summary: `Downloaded ${letters}${whose} (PDF, ${what.paper})`,
    target:
      what.groupId !== undefined
        ? { type: "group", id: what.groupId }
        : n === 1
          ? { type: "user", id: what.userIds[0] as number }
          : undefined,
    userIds: what.userIds,
    paper: what.paper,
  });
}

/** A group's pending members' letters as one PDF download, audited: the page and the API answer alike. */
export async function sendGroupLetters(deps: LetterHttpDeps, actor: Actor, res: Response, groupId: number, rawPaper: unknown) {
  const paper = await paperFor(deps, rawPaper);
  const group = await deps.groups.get(groupId);
  const userIds = await pendingMembers(deps, groupId);
  const pdf = await deps.letters.stream({ userIds, paper });
  await announceDownload(deps, actor, { userIds, paper, groupId });
  await sendPdf(res, pdf, `invitations-group-${groupId}-${fileSlug(group.name)}.pdf`);
}

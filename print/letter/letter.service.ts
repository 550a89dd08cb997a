import { PassThrough, type Readable } from "node:stream";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Logo } from "../../server/branding/branding.service.js";
import { ValidationError } from "../../server/errors.js";
import type { InvitationsService } from "../../server/invitations/invitations.service.js";
import type { UsersService } from "../../server/people/users.service.js";
import type { Settings, SettingsService } from "../../server/settings.js";
import { type CoverSheet, drawCoverSheet } from "./cover-sheet.js";
import { displayName } from "./display-name.js";
import { addPage, createLetterDocument, flowControl } from "./letter-document.js";
import { InvitationUnusableError, NotPendingError, UnknownPersonError } from "./letter-errors.js";
import { letterStrings } from "./letter-i18n.js";
import { LetterPainter, type LetterPerson, type LetterShared } from "./letter-page.js";
import { isPaper, PAPER_SIZES, type Paper } from "./paper.js";
import { qrMatrix } from "./qr-vector.js";
import type { Doc } from "./typeset.js";

export type { CoverSheet } from "./cover-sheet.js";
export type { Paper } from "./paper.js";

export type RenderRequest = { userIds: number[]; paper: Paper; cover?: CoverSheet };

/** Where the organization's logo comes from (ctx.branding); null: none uploaded. */
export type LogoSource = { logo(): Promise<Pick<Logo, "data"> | null> };

/** Letters in one document at most: 20,000 pages is already a day of a fast office printer. */
export const MAX_LETTERS = 20_000;

/** What one letter needs, gathered and checked before the first byte is written. */
type Prepared = Omit<LetterPerson, "qr"> & { url: string };

const LOOKUP_CONCURRENCY = 8;

/**
 * Paper invitation letters as PDF: one page per person, in the order given, optionally led
 * by a cover sheet. The people are all checked first (unknown, joined or deactivated people
 * and dead invitations are refused by name), so a document is never cut short by a bad id.
 * The invitation shown is the person's current one: printing never makes a new link.
 */
export class LetterService {
  constructor(
    private deps: {
      users: UsersService;
      invitations: InvitationsService;
      settings: SettingsService;
      branding?: LogoSource;
    },
  ) {}

  /** The whole document in memory: fine for a person or a print job of a few hundred. */
  async render(request: RenderRequest): Promise<Buffer> {
    const stream = await this.stream(request);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * The document as a stream, for large ones (10,000 letters): rendering follows the
   * reader, so memory stays flat. Refusals are thrown here, before the stream exists;
   * a failure while rendering destroys the stream with the error.
   */
  async stream(request: RenderRequest): Promise<Readable> {
    const { userIds, paper, cover } = checkRequest(request);
    const people = await this.prepare(userIds);
    const settings = await this.deps.settings.get();
    const logo = (await this.deps.branding?.logo()) ?? null;
    const first = letterStrings(people[0]?.language ?? "en");
    const doc = createLetterDocument(paper, {
      title: people.length === 1 ? first.documentTitle(settings.organizationName) : `Invitations — ${settings.organizationName}`,
      author: settings.organizationName,
      language: people.length === 1 ? first.locale : "en",
    });
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    doc.on("error", (err: Error) => out.destroy(err));
    (doc as unknown as Readable).pipe(out);
    out.on("close", () => (doc as unknown as Readable).destroy());
    void this.write(doc, paper, people, settings, logo, cover).catch((err: Error) => out.destroy(err));
    return out;
  }

  private async write(
    doc: Doc,
    paper: Paper,
    people: Prepared[],
    settings: Settings,
    logo: Pick<Logo, "data"> | null,
    cover?: CoverSheet,
  ) {
    const proceed = flowControl(doc);
    const shared: LetterShared = {
      organizationName: settings.organizationName,
      appName: settings.appName,
      frontDeskContact: settings.frontDeskContact,
      logo: logo ? openLogo(doc, logo) : null,
      appStoreQr: settings.appStoreUrl ? qrMatrix(settings.appStoreUrl, "M") : null,
      playStoreQr: settings.playStoreUrl ? qrMatrix(settings.playStoreUrl, "M") : null,
      printedAt: new Date(),
    };
    if (cover) {
      addPage(doc, paper);
      drawCoverSheet(doc, cover, () => addPage(doc, paper));
    }
    const painter = new LetterPainter(doc, shared);
    for (let i = 0; i < people.length; i++) {
      const { url, ...person } = people[i] as Prepared;
      addPage(doc, paper);
      painter.draw({ ...person, qr: qrMatrix(url, "M") });
      // Let the process serve other requests, and the reader catch up, now and then.
      if (i % 25 === 24) {
        if (!(await proceed())) return;
        await yieldToLoop();
      }
    }
    doc.end();
  }

  /** Every person checked and their current invitation read, in the order given. */
  private async prepare(userIds: number[]): Promise<Prepared[]> {
    const prepared = new Array<Prepared>(userIds.length);
    let next = 0;
    const worker = async () => {
      while (next < userIds.length) {
        const index = next++;
        prepared[index] = await this.prepareOne(userIds[index] as number);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, userIds.length) }, worker));
    return prepared;
  }

  private async prepareOne(id: number): Promise<Prepared> {
    const user = await this.deps.users.get(id).catch((err) => {
      if ((err as { status?: number }).status === 404) throw new UnknownPersonError(id);
      throw err;
    });
    if (user.status !== "pending") throw new NotPendingError(id, user.status);
    const invitation = await this.deps.invitations.current(id);
    if (invitation.state !== "active") throw new InvitationUnusableError(id, invitation.state);
    return {
      id,
      fullName: displayName(user.firstName, user.lastName),
      language: user.language,
      department: user.department,
      site: user.site,
      code: invitation.code,
      url: invitation.url,
      expiresAt: invitation.expiresAt ? new Date(invitation.expiresAt) : null,
    };
  }
}

function checkRequest(request: RenderRequest): RenderRequest {
  const { userIds, paper } = request ?? {};
  if (!isPaper(paper)) throw new ValidationError({ paper: `must be one of ${PAPER_SIZES.join(", ")}` });
  if (!Array.isArray(userIds) || userIds.length === 0) throw new ValidationError({ userIds: "must list at least one person" });
  if (userIds.length > MAX_LETTERS) throw new ValidationError({ userIds: `must list at most ${MAX_LETTERS} people` });
  const seen = new Set<number>();
  for (const id of userIds) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError({ userIds: "must be positive whole numbers" });
    if (seen.has(id)) throw new ValidationError({ userIds: `lists person #${id} twice` });
    seen.add(id);
  }
  return request;
}

/**
 * pdfkit's image object, opened once so that every page refers to one embedded copy. A
 * logo pdfkit cannot read (an unusual PNG variant) leaves the organization's name alone
 * rather than failing every letter.
 */
function openLogo(doc: Doc, logo: Pick<Logo, "data">): LetterShared["logo"] {
  try {
    const image = (doc as unknown as { openImage(src: Buffer): { width: number; height: number } }).openImage(logo.data);
    return { image, width: image.width, height: image.height };
  } catch {
    return null;
  }
}

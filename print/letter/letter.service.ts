import type { Readable } from "node:stream";
import type { Logo } from "../../server/branding/index.js";
import { ValidationError } from "../../server/core/errors.js";
import type { InvitationsService, InvitationView } from "../../server/invitations/index.js";
import type { User, UsersService } from "../../server/people/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { CoverSheet } from "./cover-sheet.js";
import { displayName } from "./display-name.js";
import { InvitationUnusableError, NotPendingError, UnknownPersonError } from "./letter-errors.js";
import { letterStrings } from "./letter-i18n.js";
import type { LetterEntry } from "./letter-job.js";
import { isPaper, PAPER_SIZES, type Paper } from "./paper.js";
import { RenderPool } from "./render-pool.js";

export type { CoverSheet } from "./cover-sheet.js";
export type { Paper } from "./paper.js";

/**
 * `twoSided`: the document goes to a printer that prints on both sides of the sheet; each
 * letter (and the cover sheet) then starts on a sheet of its own.
 */
export type RenderRequest = { userIds: number[]; paper: Paper; cover?: CoverSheet; twoSided?: boolean };

/** Where the organization's logo comes from (ctx.branding); null: none uploaded. */
export type LogoSource = { logo(): Promise<Pick<Logo, "data"> | null> };

/** Letters in one document at most: 20,000 pages is already a day of a fast office printer. */
export const MAX_LETTERS = 20_000;

const PREPARE_CHUNK = 500;

/**
 * Paper invitation letters as PDF: one page per person, in the order given, optionally led
 * by a cover sheet. The people are all checked first (unknown, joined or deactivated people
 * and dead invitations are refused by name), so a document is never cut short by a bad id.
 * The invitation shown is the person's current one: printing never makes a new link.
 */
export class LetterService {
  private renderers = new RenderPool();

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
    const { userIds, paper, cover, twoSided } = checkRequest(request);
    const settings = await this.deps.settings.requireSetup();
    const people = await this.prepare(userIds);
    const logo = (await this.deps.branding?.logo()) ?? null;
    // One letter: its person's language; many: the organization's, for the PDF's title.
    const first = letterStrings(people.length === 1 ? (people[0]?.language ?? "en") : settings.defaultLanguage);
    return this.renderers.render({
      paper,
      people,
      organizationName: settings.organizationName,
      appName: settings.appName,
      frontDeskContact: settings.frontDeskContact,
      appStoreUrl: settings.appStoreUrl,
      playStoreUrl: settings.playStoreUrl,
      logo: logo ? new Uint8Array(logo.data) : null,
      cover,
      twoSided: twoSided === true,
      title:
        people.length === 1 ? first.documentTitle(settings.organizationName) : first.documentTitleMany(settings.organizationName),
      language: first.locale,
    });
  }

  /**
   * Starts a render worker and has it draw a letter nobody sees, so that the first real
   * download after a start does not also pay for the thread, its modules, the Latin font and
   * the compilation of the drawing code (it took twice as long as the next one). The worker
   * then waits, idle, for the first document. The sample is made up: no person is read.
   */
  async warmUp(): Promise<void> {
    const sample: LetterEntry = {
      id: 0,
      fullName: "Ana García",
      language: "en",
      department: "Reception",
      site: "Head office",
      code: "WARM-UP23",
      url: "https://warm-up.invalid/i/sample-token-that-is-never-issued",
      expiresAt: new Date(),
    };
    await this.renderers.warm({
      paper: "A4",
      // Both languages, and a name in each script with a font of its own (Chinese,
      // Japanese, Korean): the first real document then finds every font parsed.
      people: [
        sample,
        { ...sample, language: "es" },
        { ...sample, fullName: "王小明" },
        { ...sample, fullName: "髙橋さくら" },
        { ...sample, fullName: "김민준" },
      ],
      organizationName: "Invite Station",
      appName: "Invite Station",
      frontDeskContact: "Reception",
      appStoreUrl: "https://apps.apple.com/app/id0",
      playStoreUrl: "https://play.google.com/store/apps/details?id=example",
      logo: null,
      title: "Warm-up",
      language: "en",
    });
  }

  /** Stops the render workers (the app is stopping); a later document starts them again. */
  stop(): Promise<void> {
    return this.renderers.stop();
  }

  /** Every person checked and their current invitation read, in the order given (a few queries per 500). */
  private async prepare(userIds: number[]): Promise<LetterEntry[]> {
    const prepared: LetterEntry[] = [];
    for (let i = 0; i < userIds.length; i += PREPARE_CHUNK) {
      const chunk = userIds.slice(i, i + PREPARE_CHUNK);
      const users = await this.deps.users.getMany(chunk);
      for (const id of chunk) {
        const user = users.get(id);
        if (!user) throw new UnknownPersonError(id);
        if (user.status !== "pending") throw new NotPendingError(id, user.status);
      }
      const invitations = await this.deps.invitations.currentMany(chunk);
      for (const id of chunk) {
        const user = users.get(id) as User;
        const invitation = invitations.get(id) as InvitationView;
        if (invitation.state !== "active") throw new InvitationUnusableError(id, invitation.state);
        prepared.push({
          id,
          fullName: displayName(user.firstName, user.lastName),
          language: user.language,
          department: user.department,
          site: user.site,
          code: invitation.code,
          url: invitation.url,
          expiresAt: invitation.expiresAt ? new Date(invitation.expiresAt) : null,
        });
      }
    }
    return prepared;
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

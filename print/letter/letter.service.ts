import type { Readable } from "node:stream";
import type { Logo } from "../../server/branding/index.js";
import { ValidationError } from "../../server/core/errors.js";
import type { InvitationView } from "../../server/invitations/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { CoverSheet } from "./cover-sheet.js";
import { displayName } from "./display-name.js";
import type { Eligibility, EligibilityCheck } from "./eligibility.js";
import { InvitationUnusableError, NotPendingError, UnknownPersonError } from "./letter-errors.js";
import { letterStrings } from "./letter-i18n.js";
import type { LetterEntry } from "./letter-job.js";
import { isPaper, PAPER_SIZES, type Paper } from "./paper.js";
import { RenderPool } from "./render-pool.js";
import { WARM_UP_READY_MS, warmUpJob } from "./warm-up-sample.js";

export type { CoverSheet } from "./cover-sheet.js";
export type { Paper } from "./paper.js";

/**
 * `twoSided`: the document goes to a printer that prints on both sides of the sheet; each
 * letter (and the cover sheet) then starts on a sheet of its own.
 */
export type RenderRequest = { userIds: number[]; paper: Paper; cover?: CoverSheet; twoSided?: boolean };

/** Letters already checked and with their links read (a print job's plan): drawn as they are. */
export type PlannedRender = { letters: LetterEntry[]; paper: Paper; cover?: CoverSheet; twoSided?: boolean };

/** The words of one letter (as a print job plans them) and the person's current invitation. */
export function letterEntry(
  words: {
    userId: number;
    firstName: string;
    lastName: string;
    department: string | null;
    site: string | null;
    language: string;
  },
  invitation: Pick<InvitationView, "code" | "url" | "expiresAt">,
): LetterEntry {
  return {
    id: words.userId,
    fullName: displayName(words.firstName, words.lastName),
    language: words.language,
    department: words.department,
    site: words.site,
    code: invitation.code,
    url: invitation.url,
    expiresAt: invitation.expiresAt ? new Date(invitation.expiresAt) : null,
  };
}

/** Where the organization's logo comes from (ctx.branding); null: none uploaded. */
export type LogoSource = { logo(): Promise<Pick<Logo, "data"> | null> };

/** Letters in one document at most: 20,000 pages is already a day of a fast office printer. */
export const MAX_LETTERS = 20_000;

/**
 * Paper invitation letters as PDF: one page per person, in the order given, optionally led
 * by a cover sheet. The people are all checked first (unknown, joined or deactivated people
 * and dead invitations are refused by name), so a document is never cut short by a bad id.
 * The invitation shown is the person's current one: printing never makes a new link.
 */
export class LetterService {
  private renderers = new RenderPool();
  private warmingUp = false;

  constructor(
    private deps: {
      /** Who may get a letter (see eligibility.ts). */
      eligibility: EligibilityCheck;
      settings: Pick<SettingsService, "requireSetup">;
      branding?: LogoSource;
    },
  ) {}

  /** The whole document in memory: fine for a person or a print job of a few hundred. */
  async render(request: RenderRequest): Promise<Buffer> {
    return collect(await this.stream(request));
  }

  /**
   * The document as a stream, for large ones (10,000 letters): rendering follows the
   * reader, so memory stays flat. Refusals are thrown here, before the stream exists;
   * a failure while rendering destroys the stream with the error.
   */
  async stream(request: RenderRequest): Promise<Readable> {
    const { userIds, paper, cover, twoSided } = checkRequest(request);
    // The worker loads while the people are read (a refusal leaves it idle for the next one).
    this.renderers.prestart();
    const settings = await this.deps.settings.requireSetup();
    const people = await this.prepare(userIds);
    return this.streamOf(settings, { letters: people, paper, cover, twoSided });
  }

  /**
   * A print job's letters as it planned them (the print worker checked the people and read
   * their links): the whole document in memory.
   */
  async renderPlanned(request: PlannedRender): Promise<Buffer> {
    const settings = await this.deps.settings.requireSetup();
    return collect(await this.streamOf(settings, request));
  }

  private async streamOf(
    settings: Awaited<ReturnType<SettingsService["requireSetup"]>>,
    { letters: people, paper, cover, twoSided }: PlannedRender,
  ): Promise<Readable> {
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
   * Starts a render worker and has it draw a document nobody sees (warm-up-sample.ts), so
   * that the first real download after a start does not also pay for the thread, its
   * modules, its fonts and the compilation of the drawing code. The worker then waits,
   * idle, for the first document. `warming()` is true until it is done (/readyz says so).
   */
  async warmUp(): Promise<void> {
    this.warmingUp = true;
    // A renderer that does not finish (it takes 1–2 s) must not keep the instance out of
    // the pool for good: after WARM_UP_READY_MS it is ready, warm or not.
    const giveUp = setTimeout(() => (this.warmingUp = false), WARM_UP_READY_MS);
    giveUp.unref();
    try {
      await this.renderers.warm(warmUpJob());
    } finally {
      clearTimeout(giveUp);
      this.warmingUp = false;
    }
  }

  /** Whether the renderer is warming up (LETTERS_WARM_UP): a download now would wait for it. */
  warming(): boolean {
    return this.warmingUp;
  }

  /** Stops the render workers (the app is stopping); a later document starts them again. */
  stop(): Promise<void> {
    return this.renderers.stop();
  }

  /**
   * Every person checked and their current invitation read, in the order given. Unknown,
   * joined or deactivated people are refused first (the first of them named), then dead links.
   */
  private async prepare(userIds: number[]): Promise<LetterEntry[]> {
    const checked = await this.deps.eligibility(userIds);
    for (const id of userIds) {
      const e = checked.get(id);
      if (!e || e.state === "unknown") throw new UnknownPersonError(id);
      if (e.state === "not-pending") throw new NotPendingError(id, e.user.status as "active" | "deactivated");
    }
    const prepared: LetterEntry[] = [];
    for (const id of userIds) {
      const e = checked.get(id) as Exclude<Eligibility, { state: "unknown" | "not-pending" }>;
      if (e.state === "dead-link")
        throw new InvitationUnusableError(id, e.invitation.state as Exclude<typeof e.invitation.state, "active">);
      const u = e.user;
      prepared.push(
        letterEntry(
          {
            userId: id,
            firstName: u.firstName,
            lastName: u.lastName,
            department: u.department,
            site: u.site,
            language: u.language,
          },
          e.invitation,
        ),
      );
    }
    return prepared;
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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

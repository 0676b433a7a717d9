/** Values that fill the config template written by `dissent init` and `dissent demo`. */
export interface TemplateValues {
  readonly origin: string;
  readonly programmeId: string;
  readonly title: string;
  /** The title in German; without it, `title` is shown in every language. */
  readonly titleDe?: string;
  readonly noticeDate: string;
  readonly deadline: string;
  readonly graceWindow: string;
}

/** Defaults modelled on Meta's 2025 EU AI training and its objection deadline (night of 26 to 27 May 2025). */
export const EXAMPLE_VALUES: TemplateValues = {
  origin: 'dissent.example/log',
  programmeId: 'ai-training-2025',
  title: 'Training of our AI models on public posts and AI-assistant chats',
  titleDe: 'Training unserer KI-Modelle mit öffentlichen Beiträgen und Chats mit dem KI-Assistenten',
  noticeDate: '2025-04-14T00:00:00+02:00',
  deadline: '2025-05-26T23:59:59+02:00',
  graceWindow: '72h',
};

/** A commented `dissent.config.yaml`. */
export function renderConfig(v: TemplateValues): string {
  return `# dissent configuration. Paths are relative to this folder (the dissent home).
# Every command reads it; an error names the file, the line and the field.

log:
  # The C2SP checkpoint origin: a name for this log, usually the URL where it is published (no scheme).
  origin: ${JSON.stringify(v.origin)}
  # Ed25519 signing key (Go note format, file mode 0600). Publish the verifier key from "dissent log key".
  key_file: log.key

database:
  # The registry: a SQLite file, sqlite:PATH with PATH relative to this folder or absolute. dissent init makes
  # registry.db here; a registry file that is missing is refused, never made anew (touch it to start a new, empty
  # registry and log on purpose). Or, for the server mode, a PostgreSQL database that exists already:
  # postgresql://USER:PASSWORD@HOST:PORT/DATABASE (dissent makes its tables; back it up with pg_dump, see
  # docs/portal.md). The DATABASE_URL environment variable overrides it.
  url: sqlite:registry.db

# One entry for each announced use of content for AI training.
programmes:
  - id: ${v.programmeId}
${
  v.titleDe
    ? `    title:                               # shown on the portal and in mails, in the reader's language
      en: ${JSON.stringify(v.title)}
      de: ${JSON.stringify(v.titleDe)}
`
    : `    title: ${JSON.stringify(v.title)}
`
}    purpose: train_ai_system             # fideslang data use
    legal_basis: legitimate_interest     # GDPR Art. 6(1)(f); people may object under Art. 21
    jurisdictions: [EU]                  # account countries it was announced for; a build narrows the policy to these
    notice_date: ${v.noticeDate}   # when users were told
    deadline: ${v.deadline}      # objections submitted after this are late for this programme
    grace_window: ${v.graceWindow}                    # time to confirm an objection by e-mail and keep its submission time
    policy: policies/${v.programmeId}.yaml
    # key_file: ${v.programmeId}.key     # signs this programme's snapshot manifests (make one with "dissent log keygen"); default: the log's key

server:
  listen: 127.0.0.1:8080
  # Bearer tokens for the operator API (/api/v1). Generate with: openssl rand -hex 32
  api_tokens: []
  # smtp_url: smtp://user:pass@mail.example:587   # without it, mail goes to the outbox/ folder as .eml files
  # Behind a reverse proxy, its address (or CIDR range): rate limits then key on each client, from X-Forwarded-For.
  # trust_proxy: [127.0.0.1]
  # The time zone the pages and mails show deadlines and times in (an IANA name).
  time_zone: Europe/Berlin
  mail_from: "dissent <no-reply@localhost>"
`;
}

/** The example policy from the design: public posts and assistant chats of adults in the EU, PII redacted. */
export function renderPolicy(): string {
  return `# Which records a build may keep. Hard rules no policy can turn off: end-to-end-encrypted content is never
# read or kept, every objection inside the registry cut is honoured, and every exclusion carries a reason code.
sources: [facebook, instagram, assistant]
kinds: [post, comment, caption, story, assistant_chat]
visibility: [public]
min_age: 18                 # age at created_at; unknown birth date means excluded
jurisdictions: [EU]         # account country; EU/EEA expand to member states
participants: redact        # objector mentioned/tagged/quoted in someone else's record: redact | drop | keep
pii: [email, phone, iban, credit_card, ip, handle, known_name]  # known_name = display names of other accounts
dedup: exact
`;
}

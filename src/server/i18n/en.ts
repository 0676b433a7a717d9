/** English texts of the portal and its mails; the shape every other language must match. */
export const en = {
  lang: 'en',
  siteName: 'Objection to AI training',
  skip: 'Skip to content',
  nav: { home: 'Object', verify: 'Check a receipt', status: 'Status', withdraw: 'Withdraw' },
  navLabel: 'Main',
  languageLabel: 'Language',
  footerKey: 'Verifier key of the transparency log',
  footerApi: 'API description (OpenAPI)',

  landingTitle: 'Object to the use of your content for AI training',
  landingIntro:
    'You have the right to object (GDPR Art. 21). It takes under a minute, needs no reason, and you get a receipt that you can check yourself.',
  programmesHeading: 'Announced AI training',
  used: 'What is used',
  notUsed: 'What is never used',
  usedContent: (kinds: string, sources: string) => `${kinds} on ${sources}`,
  usedPublicOnly: 'only content that was public',
  usedAdultsOnly: (age: number) => `only content of people aged ${age} or over when they posted it`,
  usedAssistant: 'chats with the AI assistant',
  usedJurisdictions: (list: string) => `only accounts in ${list}`,
  neverE2ee: 'end-to-end-encrypted chats',
  neverPrivate: 'private messages and content that was not public',
  neverMinors: 'content of minors',
  purpose: 'Purpose',
  legalBasis: 'Legal basis',
  purposes: { train_ai_system: 'training of AI systems' } as Record<string, string>,
  legalBases: { legitimate_interest: 'legitimate interest, GDPR Art. 6(1)(f)' } as Record<string, string>,
  deadline: 'Deadline for objections',
  timeLeft: (d: number, h: number, m: number) => {
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    const [days, hours, minutes] = [n(d, 'day', 'days'), n(h, 'hour', 'hours'), n(m, 'minute', 'minutes')];
    if (d === 0 && h === 0 && m === 0) return 'less than a minute left';
    return d > 0 ? `${days} and ${hours} left` : h > 0 ? `${hours} and ${minutes} left` : `${minutes} left`;
  },
  afterDeadline:
    'The deadline has passed. You can still object, but an objection now covers only future training: content that was already used stays in the models trained before.',
  kinds: {
    post: 'posts',
    comment: 'comments',
    caption: 'captions',
    story: 'stories',
    assistant_chat: 'AI-assistant chats',
    message: 'messages',
  } as Record<string, string>,
  and: 'and',

  formHeading: 'File an objection',
  accountLabel: 'Handle or e-mail of one of your accounts',
  accountHint:
    'We send a confirmation link to the e-mail address registered on that account. One objection covers all your linked accounts.',
  programmeLabel: 'What do you object to?',
  allProgrammes: 'All current and future AI training (recommended)',
  reasonLabel: 'Reason (optional)',
  reasonHint: 'You do not need to give a reason.',
  submitObjection: 'Object',
  errorSummary: 'Please correct the following:',
  errorTitlePrefix: 'Error:',
  errAccountRequired: 'Enter the handle or e-mail of one of your accounts.',
  errAccountTooLong: 'This handle or e-mail is too long (at most 254 characters).',
  errReasonTooLong: 'The reason is too long (at most 2000 characters).',
  errProgrammeUnknown: 'Choose one of the listed options.',

  sentTitle: 'Check your e-mail',
  sentBody: (grace: string, until: string) =>
    `If an account with this handle or e-mail exists, we have sent a confirmation link to the e-mail address registered on it. Open the link within ${grace}, by ${until} at the latest, to make your objection effective.`,
  sentTime: (time: string) =>
    `Your objection counts from the time you submitted it (${time}), as long as you confirm in time.`,
  sentNoMail: 'No mail? Check your spam folder, or submit again with another of your accounts.',

  confirmTitle: 'Confirm your objection',
  confirmBody: 'Press the button to make your objection effective. You will then get your receipt.',
  confirmButton: 'Confirm objection',
  linkCovers: 'This link is for an objection to',
  linkWithdraws: 'This link withdraws the objection to',
  confirmReasonHint:
    'As sent with the request. You may change or delete it: it is stored with your objection. If you did not ask for this objection, you may still confirm it, or simply ignore this page.',

  receiptTitleNew: 'Your objection is effective',
  receiptTitleOld: 'Your objection was already effective',
  receiptIntro:
    'It is recorded in the signed transparency log. Download your receipt and keep it: with it you can check at any time, even offline, that your objection is in the log.',
  receiptStatus: 'Status',
  stateEffective: 'effective',
  stateWithdrawn: 'withdrawn',
  statePending: 'waiting for confirmation',
  objectionId: 'Objection',
  submittedAt: 'Submitted at',
  logEntry: 'Log entry',
  coverage: 'Covers',
  coverageAll: 'all current and future AI training',
  coverageAccountOnly: 'this account only, not the accounts linked to it',
  inTime: 'in time',
  late: 'late: covers only future training',
  download: 'Download receipt (JSON)',
  showReceipt: 'Show the receipt',
  checkReceipt: 'Check the receipt',
  seeStatus: 'See the status',
  withdrawTitleDone: 'Your objection is withdrawn',
  withdrawIntro: 'The withdrawal is recorded in the signed transparency log. Download its receipt and keep it.',

  tokenUnknown:
    'This link is not valid, or it has expired. Check that you opened the complete link from the mail, or submit the form again.',
  tokenExpired: 'This link has expired. Please submit the form again.',
  tokenUsed: 'This link has already been used. Use your receipt to check the status.',
  linkProblem: 'The link cannot be used',

  verifyTitle: 'Check a receipt',
  verifyIntro:
    'Paste your receipt or choose the file. The check runs in your browser with the published key of the log, so you do not need to trust this server.',
  verifyNoJs: 'Without JavaScript, this server runs the same check.',
  receiptLabel: 'Receipt (JSON)',
  fileLabel: 'Receipt file (or paste the receipt below)',
  keyLabel: 'Verifier key of the log',
  verifyButton: 'Check',
  valid: (index: number, size: number) =>
    `The receipt is valid: it is entry ${index} of the signed log of size ${size}.`,
  invalid: 'The receipt is NOT valid.',
  /** What a valid receipt's signed leaf records; {programme} is the programme's id in quotes, or anyProgramme. */
  receiptRecords: {
    objection: 'It records an objection to {programme}.',
    withdrawal: 'It records the WITHDRAWAL of an objection to {programme}: it is not an objection.',
  },
  /**
   * The submission time in a valid receipt's signed leaf; {time} is its UTC time. The receipt's `late` is not signed,
   * so the page points to the time that is.
   */
  receiptSubmitted: {
    objection:
      'Submitted {time}, as signed in the entry: whether it was late follows from this time and the programme’s deadline (the receipt’s "late" field is not signed).',
    withdrawal: 'The withdrawal was submitted {time}, as signed in the entry.',
  },
  anyProgramme: 'all current and future AI training',
  checkedInBrowser: 'Checked in your browser.',
  checkedOnServer: 'Checked on the server.',
  checkNames: {
    format: 'format',
    leaf: 'log entry',
    subject: 'subject commitment',
    checkpoint: 'signed checkpoint',
    inclusion: 'inclusion proof',
    key: 'verifier key',
  } as Record<string, string>,
  /** Why a check failed, in this language; where a check has none, the checker's own (English) detail is shown. */
  checkFailures: {} as Record<string, string>,
  passed: 'passed',
  failed: 'failed',
  errReceiptRequired: 'Paste a receipt.',
  errReceiptJson: 'This is not valid JSON.',

  statusTitle: 'Status of your objection',
  statusIntro: 'Paste your receipt to see whether your objection is in force and which training snapshots honour it.',
  statusButton: 'Show status',
  statusUnknown: 'This receipt is valid, but the objection is not in this registry.',
  statusInvalid: 'This receipt is not valid, so no status can be shown.',
  snapshotsHeading: 'Training snapshots that honour it',
  snapshotsNone:
    'No training snapshot honours it yet: every snapshot so far of the programmes it covers was cut from the log before your objection entered it. Every snapshot cut from now on will honour it.',
  snapshotsNoneBuilt:
    'No training snapshot of the programmes it covers has been built yet. Every snapshot cut from now on will honour it.',
  snapshotsWithoutHeading: 'Training snapshots built without it (they may hold your content)',
  snapshotsWithdrawn: 'After the withdrawal, new snapshots no longer honour the objection.',
  snapshotRow: (id: string, programme: string, date: string, size: number) =>
    `${id}: ${programme}, built ${date} (log cut at ${size} entries)`,
  snapshotReplaced: (id: string, date: string) =>
    `; replaced by ${id} on ${date}, built again in the same folder (it may have been used for training before)`,
  modelsLater:
    'Which models were trained on these snapshots will be shown here once the operator publishes that record.',
  withdrawnAt: 'Withdrawn at',

  withdrawTitle: 'Withdraw an objection',
  withdrawFormIntro:
    'If you withdraw your objection, your content may be used for the training the objection covered. We send a link to the e-mail address registered on your account.',
  withdrawButton: 'Request withdrawal link',
  withdrawSentBody: (grace: string, until: string) =>
    `If an account with this handle or e-mail has an objection to withdraw, we have sent a link to the e-mail address registered on it. The link is valid for ${grace}, until ${until}.`,
  withdrawConfirmTitle: 'Confirm the withdrawal',
  withdrawConfirmBody:
    'Press the button to withdraw your objection. Your content may then be used for the training it covered.',
  withdrawConfirmButton: 'Withdraw objection',

  errorTitle: 'Something went wrong',
  errorBody: 'Please try again later.',
  notFoundTitle: 'Page not found',
  notFoundBody: 'There is no page at this address.',
  methodTitle: 'Not possible at this address',
  methodBody: 'This address does not take this kind of request. Open the start page and use its links and forms.',
  csrfTitle: 'The form has expired',
  csrfBody:
    'Please go back, reload the page and submit the form again. If this page comes back, allow cookies for this site: the form needs one cookie to protect you against forged submissions (it holds nothing about you).',
  rateTitle: 'Too many requests',
  rateBody: (minutes: number) =>
    `Too many requests came from your network just now. Please try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`,
  rateLinkUnused:
    'This request did nothing with the link in your e-mail: open it again then. It works until the time the e-mail gives.',
  busyBody:
    'This site is sending a great many links just now. Nothing was saved and no link will be sent for this request: please send the form again in a few minutes.',
  rateAccountBody: (kind: 'object' | 'withdraw', minutes: number) =>
    `This handle or e-mail was entered too often in the last hour. If a ${kind === 'object' ? 'confirmation link' : 'withdrawal link'} has reached you, use the newest one; otherwise try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`,
  tooLargeTitle: 'Too much data',
  tooLargeBody: 'The submitted data is too large.',
  mediaTitle: 'The form could not be read',
  mediaBody:
    'Your browser, or a program or extension, sent this form in a format this site does not take. Please go back, reload the page and send the form again. If this page comes back, send the form from another browser, or turn off extensions that change forms.',
  back: 'Back to the start page',

  mailConfirmSubject: 'Please confirm your objection to AI training',
  mailConfirmBody: (p: { handle: string; what: string; grace: string; until: string; link: string; time: string }) =>
    `Hello,\n\nsomeone, hopefully you, asked to object to the use of the content of your account "${p.handle}" for ${p.what}.\n\nTo confirm, open this link within ${p.grace}, by ${p.until} at the latest:\n\n${p.link}\n\nThe objection counts from the time it was submitted (${p.time}).\n\nIf this was not you, ignore this mail: nothing will happen.\n`,
  mailWithdrawSubject: 'Withdrawing your objection to AI training',
  mailWithdrawBody: (p: { handle: string; what: string; grace: string; until: string; link: string; time: string }) =>
    `Hello,\n\nsomeone, hopefully you, asked to withdraw the objection of your account "${p.handle}" to ${p.what}.\n\nTo withdraw it, open this link within ${p.grace}, by ${p.until} at the latest:\n\n${p.link}\n\nIf this was not you, ignore this mail: your objection stays in force.\n`,
  what: (programme: string | undefined) =>
    programme === undefined ? 'all current and future AI training' : `the AI training "${programme}"`,
  units: {
    day: ['day', 'days'],
    hour: ['hour', 'hours'],
    minute: ['minute', 'minutes'],
    second: ['second', 'seconds'],
  },
};

/** The message catalogue type; German must provide every key. */
export type Messages = typeof en;

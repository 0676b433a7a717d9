import type { Messages } from './en.ts';

/** German texts of the portal and its mails. */
export const de: Messages = {
  lang: 'de',
  siteName: 'Widerspruch gegen KI-Training',
  skip: 'Zum Inhalt springen',
  nav: { home: 'Widersprechen', verify: 'Beleg prüfen', status: 'Status', withdraw: 'Zurücknehmen' },
  navLabel: 'Hauptnavigation',
  languageLabel: 'Sprache',
  footerKey: 'Prüfschlüssel des Transparenzlogs',
  footerApi: 'API-Beschreibung (OpenAPI)',

  landingTitle: 'Der Nutzung Ihrer Inhalte für KI-Training widersprechen',
  landingIntro:
    'Sie haben ein Widerspruchsrecht (Art. 21 DSGVO). Es dauert weniger als eine Minute, braucht keine Begründung, und Sie erhalten einen Beleg, den Sie selbst prüfen können.',
  programmesHeading: 'Angekündigtes KI-Training',
  used: 'Was genutzt wird',
  notUsed: 'Was nie genutzt wird',
  usedContent: (kinds: string, sources: string) => `${kinds} auf ${sources}`,
  usedPublicOnly: 'nur Inhalte, die öffentlich waren',
  usedAdultsOnly: (age: number) => `nur Inhalte von Personen, die beim Posten mindestens ${age} Jahre alt waren`,
  usedAssistant: 'Chats mit dem KI-Assistenten',
  usedJurisdictions: (list: string) => `nur Konten in ${list}`,
  neverE2ee: 'Ende-zu-Ende-verschlüsselte Chats',
  neverPrivate: 'private Nachrichten und nicht öffentliche Inhalte',
  neverMinors: 'Inhalte von Minderjährigen',
  purpose: 'Zweck',
  legalBasis: 'Rechtsgrundlage',
  purposes: { train_ai_system: 'Training von KI-Systemen' },
  legalBases: { legitimate_interest: 'berechtigtes Interesse, Art. 6 Abs. 1 lit. f DSGVO' },
  deadline: 'Frist für Widersprüche',
  timeLeft: (d: number, h: number, m: number) => {
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
    const [days, hours, minutes] = [n(d, 'Tag', 'Tage'), n(h, 'Stunde', 'Stunden'), n(m, 'Minute', 'Minuten')];
    if (d === 0 && h === 0 && m === 0) return 'noch weniger als eine Minute';
    return d > 0 ? `noch ${days} und ${hours}` : h > 0 ? `noch ${hours} und ${minutes}` : `noch ${minutes}`;
  },
  afterDeadline:
    'Die Frist ist abgelaufen. Sie können weiterhin widersprechen, aber ein Widerspruch gilt jetzt nur noch für künftiges Training: Bereits genutzte Inhalte bleiben in den zuvor trainierten Modellen.',
  kinds: {
    post: 'Beiträge',
    comment: 'Kommentare',
    caption: 'Bildunterschriften',
    story: 'Storys',
    assistant_chat: 'Chats mit dem KI-Assistenten',
    message: 'Nachrichten',
  },
  and: 'und',

  formHeading: 'Widerspruch einlegen',
  accountLabel: 'Benutzername oder E-Mail-Adresse eines Ihrer Konten',
  accountHint:
    'Wir senden einen Bestätigungslink an die E-Mail-Adresse, die bei diesem Konto hinterlegt ist. Ein Widerspruch gilt für alle Ihre verknüpften Konten.',
  programmeLabel: 'Wogegen widersprechen Sie?',
  allProgrammes: 'Gegen jedes jetzige und künftige KI-Training (empfohlen)',
  reasonLabel: 'Begründung (freiwillig)',
  reasonHint: 'Sie müssen keine Begründung angeben.',
  submitObjection: 'Widersprechen',
  errorTitlePrefix: 'Fehler:',
  errorSummary: 'Bitte korrigieren Sie Folgendes:',
  errAccountRequired: 'Geben Sie den Benutzernamen oder die E-Mail-Adresse eines Ihrer Konten ein.',
  errAccountTooLong: 'Dieser Benutzername oder diese E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).',
  errReasonTooLong: 'Die Begründung ist zu lang (höchstens 2000 Zeichen).',
  errProgrammeUnknown: 'Wählen Sie eine der angebotenen Möglichkeiten.',

  sentTitle: 'Bitte prüfen Sie Ihre E-Mails',
  sentBody: (grace: string, until: string) =>
    `Wenn ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse existiert, haben wir einen Bestätigungslink an die dort hinterlegte E-Mail-Adresse gesendet. Öffnen Sie den Link innerhalb von ${grace}, spätestens bis ${until}, damit Ihr Widerspruch wirksam wird.`,
  sentTime: (time: string) =>
    `Ihr Widerspruch zählt ab dem Zeitpunkt, zu dem Sie ihn abgeschickt haben (${time}), sofern Sie rechtzeitig bestätigen.`,
  sentNoMail: 'Keine E-Mail? Sehen Sie im Spam-Ordner nach oder versuchen Sie es mit einem anderen Ihrer Konten.',

  confirmTitle: 'Widerspruch bestätigen',
  confirmBody: 'Drücken Sie die Schaltfläche, damit Ihr Widerspruch wirksam wird. Danach erhalten Sie Ihren Beleg.',
  confirmButton: 'Widerspruch bestätigen',
  linkCovers: 'Dieser Link gilt für einen Widerspruch gegen',
  linkWithdraws: 'Dieser Link nimmt den Widerspruch zurück gegen',
  confirmReasonHint:
    'So wie mit der Anfrage gesendet. Sie können sie ändern oder löschen: Sie wird mit Ihrem Widerspruch gespeichert. Haben Sie diesen Widerspruch nicht angefordert, können Sie ihn trotzdem bestätigen oder diese Seite einfach ignorieren.',

  receiptTitleNew: 'Ihr Widerspruch ist wirksam',
  receiptTitleOld: 'Ihr Widerspruch war bereits wirksam',
  receiptIntro:
    'Er ist im signierten Transparenzlog verzeichnet. Laden Sie Ihren Beleg herunter und bewahren Sie ihn auf: Damit können Sie jederzeit, auch offline, prüfen, dass Ihr Widerspruch im Log steht.',
  receiptStatus: 'Status',
  stateEffective: 'wirksam',
  stateWithdrawn: 'zurückgenommen',
  statePending: 'wartet auf Bestätigung',
  objectionId: 'Widerspruch',
  submittedAt: 'Eingegangen am',
  logEntry: 'Log-Eintrag',
  coverage: 'Gilt für',
  coverageAll: 'jedes jetzige und künftige KI-Training',
  coverageAccountOnly: 'nur dieses Konto, nicht die damit verknüpften Konten',
  inTime: 'rechtzeitig',
  late: 'verspätet: gilt nur für künftiges Training',
  download: 'Beleg herunterladen (JSON)',
  showReceipt: 'Beleg anzeigen',
  checkReceipt: 'Beleg prüfen',
  seeStatus: 'Status ansehen',
  withdrawTitleDone: 'Ihr Widerspruch ist zurückgenommen',
  withdrawIntro:
    'Die Rücknahme ist im signierten Transparenzlog verzeichnet. Laden Sie den Beleg herunter und bewahren Sie ihn auf.',

  tokenUnknown:
    'Dieser Link ist ungültig oder abgelaufen. Prüfen Sie, ob Sie den vollständigen Link aus der E-Mail geöffnet haben, oder senden Sie das Formular erneut ab.',
  tokenExpired: 'Dieser Link ist abgelaufen. Bitte senden Sie das Formular erneut ab.',
  tokenUsed: 'Dieser Link wurde bereits verwendet. Prüfen Sie den Status mit Ihrem Beleg.',
  linkProblem: 'Der Link kann nicht verwendet werden',

  verifyTitle: 'Beleg prüfen',
  verifyIntro:
    'Fügen Sie Ihren Beleg ein oder wählen Sie die Datei. Die Prüfung läuft in Ihrem Browser mit dem veröffentlichten Schlüssel des Logs, Sie müssen diesem Server also nicht vertrauen.',
  verifyNoJs: 'Ohne JavaScript führt dieser Server dieselbe Prüfung aus.',
  receiptLabel: 'Beleg (JSON)',
  fileLabel: 'Beleg-Datei (oder den Beleg unten einfügen)',
  keyLabel: 'Prüfschlüssel des Logs',
  verifyButton: 'Prüfen',
  valid: (index: number, size: number) =>
    `Der Beleg ist gültig: Er ist Eintrag ${index} des signierten Logs mit ${size} Einträgen.`,
  invalid: 'Der Beleg ist NICHT gültig.',
  receiptRecords: {
    objection: 'Er belegt einen Widerspruch gegen {programme}.',
    withdrawal: 'Er belegt die RÜCKNAHME eines Widerspruchs gegen {programme}: Er ist kein Widerspruch.',
  },
  receiptSubmitted: {
    objection:
      'Eingereicht {time}, wie im Eintrag signiert: Ob er verspätet war, folgt aus dieser Zeit und der Frist des Programms (das Feld „late“ des Belegs ist nicht signiert).',
    withdrawal: 'Die Rücknahme wurde {time} eingereicht, wie im Eintrag signiert.',
  },
  anyProgramme: 'alle jetzigen und künftigen KI-Trainings',
  checkedInBrowser: 'In Ihrem Browser geprüft.',
  checkedOnServer: 'Auf dem Server geprüft.',
  checkNames: {
    format: 'Format',
    leaf: 'Log-Eintrag',
    subject: 'Personen-Commitment',
    checkpoint: 'signierter Checkpoint',
    inclusion: 'Inklusionsbeweis',
    key: 'Prüfschlüssel',
  },
  checkFailures: {
    format: 'der Beleg ist kein vollständiger dissent-Beleg (ein Feld fehlt oder hat die falsche Form)',
    leaf: 'der Log-Eintrag ist kein gültiges Ereignis oder passt nicht zu Kennung, Programm oder Geltungsbereich des Belegs',
    subject: 'Person und Salt passen nicht zum Commitment im Log-Eintrag',
    checkpoint: 'der Checkpoint ist nicht mit dem veröffentlichten Prüfschlüssel signiert oder beschädigt',
    inclusion: 'der Inklusionsbeweis führt nicht zur Wurzel des signierten Checkpoints',
    key: 'der Prüfschlüssel ist ungültig',
  },
  passed: 'bestanden',
  failed: 'fehlgeschlagen',
  errReceiptRequired: 'Fügen Sie einen Beleg ein.',
  errReceiptJson: 'Das ist kein gültiges JSON.',

  statusTitle: 'Status Ihres Widerspruchs',
  statusIntro:
    'Fügen Sie Ihren Beleg ein, um zu sehen, ob Ihr Widerspruch gilt und welche Trainings-Snapshots ihn berücksichtigen.',
  statusButton: 'Status anzeigen',
  statusUnknown: 'Dieser Beleg ist gültig, aber der Widerspruch ist nicht in diesem Register.',
  statusInvalid: 'Dieser Beleg ist ungültig, daher kann kein Status angezeigt werden.',
  snapshotsHeading: 'Trainings-Snapshots, die ihn berücksichtigen',
  snapshotsNone:
    'Noch kein Trainings-Snapshot berücksichtigt ihn: Jeder bisherige Snapshot der Programme, die er abdeckt, wurde aus dem Log geschnitten, bevor Ihr Widerspruch dort eingetragen war. Jeder künftig geschnittene Snapshot berücksichtigt ihn.',
  snapshotsNoneBuilt:
    'Für die Programme, die er abdeckt, wurde noch kein Trainings-Snapshot erstellt. Jeder künftig geschnittene Snapshot berücksichtigt ihn.',
  snapshotsWithoutHeading: 'Trainings-Snapshots ohne ihn (sie können Ihre Inhalte enthalten)',
  snapshotsWithdrawn: 'Nach der Rücknahme berücksichtigen neue Snapshots den Widerspruch nicht mehr.',
  snapshotRow: (id: string, programme: string, date: string, size: number) =>
    `${id}: ${programme}, erstellt ${date} (Log-Schnitt bei ${size} Einträgen)`,
  snapshotReplaced: (id: string, date: string) =>
    `; am ${date} durch ${id} ersetzt, im selben Ordner neu erstellt (er kann vorher für ein Training verwendet worden sein)`,
  modelsLater:
    'Welche Modelle mit diesen Snapshots trainiert wurden, wird hier angezeigt, sobald der Betreiber diese Angaben veröffentlicht.',
  withdrawnAt: 'Zurückgenommen am',

  withdrawTitle: 'Widerspruch zurücknehmen',
  withdrawFormIntro:
    'Wenn Sie Ihren Widerspruch zurücknehmen, dürfen Ihre Inhalte für das Training genutzt werden, für das er galt. Wir senden einen Link an die E-Mail-Adresse, die bei Ihrem Konto hinterlegt ist.',
  withdrawButton: 'Link zur Rücknahme anfordern',
  withdrawSentBody: (grace: string, until: string) =>
    `Wenn für ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse ein Widerspruch besteht, haben wir einen Link an die dort hinterlegte E-Mail-Adresse gesendet. Der Link kann innerhalb von ${grace} verwendet werden, also bis ${until}.`,
  withdrawConfirmTitle: 'Rücknahme bestätigen',
  withdrawConfirmBody:
    'Drücken Sie die Schaltfläche, um Ihren Widerspruch zurückzunehmen. Ihre Inhalte dürfen dann für das Training genutzt werden, für das er galt.',
  withdrawConfirmButton: 'Widerspruch zurücknehmen',

  errorTitle: 'Etwas ist schiefgegangen',
  errorBody: 'Bitte versuchen Sie es später erneut.',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundBody: 'Unter dieser Adresse gibt es keine Seite.',
  methodTitle: 'An dieser Adresse nicht möglich',
  methodBody:
    'Diese Adresse nimmt diese Art von Anfrage nicht an. Öffnen Sie die Startseite und nutzen Sie deren Links und Formulare.',
  csrfTitle: 'Das Formular ist abgelaufen',
  csrfBody:
    'Bitte gehen Sie zurück, laden Sie die Seite neu und senden Sie das Formular erneut ab. Erscheint diese Seite wieder, erlauben Sie Cookies für diese Website: Das Formular braucht ein Cookie zum Schutz vor gefälschten Absendungen (es enthält nichts über Sie).',
  rateTitle: 'Zu viele Anfragen',
  rateBody: (minutes: number) =>
    `Aus Ihrem Netzwerk kamen gerade zu viele Anfragen. Bitte versuchen Sie es in ${minutes === 1 ? '1 Minute' : `${minutes} Minuten`} erneut.`,
  rateLinkUnused:
    'Mit dem Link in Ihrer E-Mail ist dabei nichts geschehen: Öffnen Sie ihn dann erneut. Er gilt bis zu der Zeit, die in der E-Mail steht.',
  busyBody:
    'Diese Website verschickt gerade sehr viele Links. Es wurde nichts gespeichert, und für diese Anfrage wird kein Link verschickt: Bitte senden Sie das Formular in einigen Minuten erneut ab.',
  rateAccountBody: (kind: 'object' | 'withdraw', minutes: number) =>
    `Dieser Benutzername oder diese E-Mail-Adresse wurde in der letzten Stunde zu oft eingegeben. Wenn Sie einen ${kind === 'object' ? 'Bestätigungslink' : 'Link zur Rücknahme'} erhalten haben, verwenden Sie den neuesten; sonst versuchen Sie es in ${minutes === 1 ? '1 Minute' : `${minutes} Minuten`} erneut.`,
  tooLargeTitle: 'Zu viele Daten',
  tooLargeBody: 'Die gesendeten Daten sind zu groß.',
  mediaTitle: 'Das Formular konnte nicht gelesen werden',
  mediaBody:
    'Ihr Browser, ein Programm oder eine Erweiterung hat dieses Formular in einem Format gesendet, das diese Website nicht annimmt. Bitte gehen Sie zurück, laden Sie die Seite neu und senden Sie das Formular erneut ab. Erscheint diese Seite wieder, senden Sie das Formular mit einem anderen Browser ab oder schalten Sie Erweiterungen aus, die Formulare verändern.',
  back: 'Zurück zur Startseite',

  mailConfirmSubject: 'Bitte bestätigen Sie Ihren Widerspruch gegen KI-Training',
  mailConfirmBody: (p: { handle: string; what: string; grace: string; until: string; link: string; time: string }) =>
    `Guten Tag,\n\njemand, hoffentlich Sie, hat für Ihr Konto „${p.handle}“ der Nutzung der Inhalte für ${p.what} widersprochen.\n\nZum Bestätigen öffnen Sie bitte innerhalb von ${p.grace}, spätestens bis ${p.until}, diesen Link:\n\n${p.link}\n\nDer Widerspruch zählt ab dem Zeitpunkt, zu dem er abgeschickt wurde (${p.time}).\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Es passiert nichts.\n`,
  mailWithdrawSubject: 'Rücknahme Ihres Widerspruchs gegen KI-Training',
  mailWithdrawBody: (p: { handle: string; what: string; grace: string; until: string; link: string; time: string }) =>
    `Guten Tag,\n\njemand, hoffentlich Sie, möchte den Widerspruch Ihres Kontos „${p.handle}“ gegen ${p.what} zurücknehmen.\n\nZum Zurücknehmen öffnen Sie bitte innerhalb von ${p.grace}, spätestens bis ${p.until}, diesen Link:\n\n${p.link}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Widerspruch bleibt bestehen.\n`,
  what: (programme: string | undefined) =>
    programme === undefined ? 'jedes jetzige und künftige KI-Training' : `das KI-Training „${programme}“`,
  units: {
    day: ['Tag', 'Tagen'],
    hour: ['Stunde', 'Stunden'],
    minute: ['Minute', 'Minuten'],
    second: ['Sekunde', 'Sekunden'],
  },
};

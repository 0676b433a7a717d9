export { convertToJsonl, outputPaths, outputTarget, toJsonLine, writeJsonl } from './convert.ts';
export { parseInputSpec } from './input-spec.ts';
export { type ExportReading, readExport } from './read-export.ts';
export type {
  CanonicalRecord,
  ConvertSummary,
  ExportFormat,
  QuarantineEntry,
  ReadExportOptions,
  SourceFormat,
  Visibility,
} from './types.ts';
export { EXPORT_FORMATS } from './types.ts';
export { isWhatsAppFileName, looksLikeWhatsApp } from './whatsapp.ts';

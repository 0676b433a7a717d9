export { type BuildOptions, type BuildProgress, type BuildSummary, runBuild } from './build.ts';
export { type Manifest, MERKLE_ALGORITHM, RECORD_HASH_SPEC } from './manifest.ts';
export { objectingSubjects } from './objections.ts';
export { createProgressBar, formatSummary } from './progress.ts';
export { type HashedRecord, recordHash } from './record-hash.ts';

export * from './canonical-json.ts';
export * from './checkpoint.ts';
export * from './event.ts';
export * from './hash.ts';
export * from './merkle.ts';
export * from './note.ts';
export * from './proofs.ts';
export * from './receipt.ts';

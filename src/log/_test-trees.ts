import { type Hash, hashLeaf } from './hash.ts';
import { MemoryTree } from './merkle.ts';

/** Distinct leaf hashes for a test tree of `n` leaves; `salt` makes trees of the same size differ. */
export const leafHashesOf = (n: number, salt: number): Hash[] =>
  Array.from({ length: n }, (_, i) => hashLeaf(`leaf ${salt} ${i}`));

/** An in-memory tree over the given leaf hashes. */
export function treeOver(leafHashes: readonly Hash[]): MemoryTree {
  const tree = new MemoryTree();
  for (const h of leafHashes) tree.append(h);
  return tree;
}

import { describe, it } from 'vitest';

/** Whether something a suite needs (Go, Chromium) is here, and if not, why. */
export type Requirement = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A suite that needs a tool from Debian's packages. Where the tool is missing, the suite is skipped and says why
 * twice: on stderr when the file loads, and in its own name, so the reason stands in the test report next to the
 * skipped tests. Under CI (`CI` set) nothing may be skipped: .ci/run installs every such tool, so a missing one is an
 * install step that went wrong, and the suite fails with the reason instead.
 */
export function describeWhere(need: Requirement, name: string, body: () => void): void {
  if (need.ok) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('has what it needs installed', () => {
        throw new Error(`${need.reason}; .ci/run should have installed it`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${need.reason}`);
  describe.skip(`${name} [skipped: ${need.reason}]`, body);
}

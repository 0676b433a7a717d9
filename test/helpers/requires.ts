import { describe, it } from 'vitest';

/** Whether something a suite needs (Go, Chromium) is here, and if not, why. */
export type Requirement = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A suite that needs a tool from Debian's packages. Where the tool is missing, its tests are not registered; in
 * their place one test skips itself with the reason as its note (vitest prints it in the report), and the reason also
 * goes to stderr when the file loads. Under CI (`CI` set) nothing may be skipped: .ci/run installs every such tool,
 * so a missing one is an install step that went wrong, and the suite fails with the reason instead.
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
  describe(name, () => {
    it(`needs what is missing here: ${need.reason}`, (ctx) => ctx.skip(need.reason));
  });
}

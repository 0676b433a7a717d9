import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values: a string option with a default is always there. */
type Values<O extends Options> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean | undefined
    : O[K] extends { default: string }
      ? string
      : string | undefined;
};

/**
 * A benchmark's options: `--help` prints its usage and exits 0; an unknown or ill-formed option prints the message
 * and the usage and exits 2, instead of the stack trace parseArgs throws with.
 */
export function benchArgs<O extends Options>(usage: string, options: O): Values<O> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as Values<O>;
}

/**
 * An option's value as a whole number of at least `min` (`_` may group digits); otherwise the message and the usage,
 * exit 2, as for a misspelt option: a wrong value must not cost a data generation, nor run a benchmark on NaN.
 */
export function intOption(usage: string, name: string, value: string | undefined, min = 1): number {
  const n = Number(String(value).replaceAll('_', ''));
  if (value !== undefined && value.trim() !== '' && Number.isInteger(n) && n >= min) return n;
  process.stderr.write(
    `error: ${name} must be a whole number of at least ${min}, not ${JSON.stringify(value)}\n${usage}\n`,
  );
  process.exit(2);
}

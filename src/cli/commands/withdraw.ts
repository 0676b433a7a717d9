import { defineCommand } from 'citty';
import { openHome } from '../../config/home.ts';
import { commonArgs, homeDir, info } from '../_common.ts';
import { checkReceiptPath, emitReceipt } from '../_receipt-io.ts';

export default defineCommand({
  meta: {
    name: 'withdraw',
    description: 'Withdraw an effective objection; logs a withdrawal event and prints its receipt.',
  },
  args: {
    ...commonArgs,
    subject: { type: 'string', description: 'person id, or account id', valueHint: 'ID', required: true },
    programme: { type: 'string', description: 'the programme the objection names, or *', default: '*' },
    'account-only': { type: 'boolean', description: 'the objection covers only this one account' },
    out: {
      type: 'string',
      description: 'write the receipt to this new file (never over an existing one) instead of stdout (- is stdout)',
      valueHint: 'FILE',
    },
  },
  async run({ args }) {
    const home = await openHome(homeDir(args));
    try {
      checkReceiptPath(args.out);
      const r = await home.registry.withdraw({
        subject: args.subject,
        programme: args.programme,
        accountOnly: args['account-only'] === true,
        channel: 'cli',
      });
      emitReceipt(r.receipt, args.out);
      info(`objection ${r.withdrawal.objection_id} withdrawn; withdrawal logged at index ${r.receipt.leaf_index}`);
    } finally {
      await home.close();
    }
  },
});

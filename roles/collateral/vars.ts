import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';
import { booleanSchema } from '../../lib/template/boolean.js';

const ngonka = z.coerce.number().int().positive('an amount in ngonka (1 GNK = 1000000000 ngonka)');

/** Variables of the collateral role (defaults.yml holds their defaults). */
export const CollateralVarsSchema = z
  .object({
    ...OperatorVarsShape,
    collateral_deposit_ngonka: ngonka.optional().describe('deposit this many ngonka from the cold account (`-e collateral_deposit_ngonka=…`)'),
    collateral_withdraw_ngonka: ngonka.optional().describe('withdraw this many ngonka (needs withdraw_collateral: true); it unbonds before it is spendable'),
    withdraw_collateral: booleanSchema.default(false).describe('allows a withdrawal: the weight it leaves uncovered is lost from the next epoch'),
    collateral_keep_weight_percent: z.coerce.number().min(0).max(100).describe('the share (%) of the potential weight a withdrawal must leave active'),
    collateral_verify_timeout: z.coerce.number().int().positive().describe('seconds the chain may take to show a deposit or withdrawal'),
    /** set by the collateral read */
    gonka_collateral: z
      .custom<{ deposited: number; weight: number }>((x) => typeof x === 'object' && x !== null)
      .optional()
      .describe('set by nop: the collateral, weight and rule parameters read on chain'),
  })
  .refine((v) => v.collateral_deposit_ngonka === undefined || v.collateral_withdraw_ngonka === undefined, {
    message: 'deposit or withdraw, not both in one run',
    path: ['collateral_withdraw_ngonka'],
  });

export type CollateralVars = z.output<typeof CollateralVarsSchema>;

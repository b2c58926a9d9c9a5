// The app's migrations the flow tests deploy: an expand pair the canary needs, and a contract one
// that must wait until every task runs the release that no longer reads the column.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ORDERS_MIGRATIONS: Readonly<Record<string, string>> = {
  'V1__orders.sql':
    'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);\n',
  'V2__orders_status.sql': "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'placed';\n",
  'V3__drop_orders_placed_at.sql':
    '-- rds-migrate: contract\nALTER TABLE orders DROP COLUMN placed_at;\n',
};

/** Writes the migrations into `<dir>/migrations/`. */
export function writeOrdersMigrations(dir: string): void {
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  for (const [name, sql] of Object.entries(ORDERS_MIGRATIONS)) {
    writeFileSync(join(dir, 'migrations', name), sql);
  }
}

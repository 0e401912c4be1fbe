import type { Db } from "../../db/client";
import type { Corridor } from "../../routing/types";

/** What reports need from the node's composition: corridors and the suppression threshold. */
export interface ReportSetup {
  corridors: readonly Corridor[];
  /** k: a cell is shown only with at least k distinct shippers and k distinct carriers. */
  minParties: number;
  /**
   * Where report cells and their freshness are read: a read replica (DATABASE_REPLICA_URL),
   * else the node's own database. Rollups are written, and reads recorded, on the primary.
   */
  readDb?: Db;
}

/** The smallest and largest k: 16 is what the cells' party lists hold. */
export const MIN_PARTIES = { floor: 3, ceiling: 16 } as const;

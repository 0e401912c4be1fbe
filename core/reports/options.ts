import type { Corridor } from "../../routing/types";

/** What reports need from the node's composition: corridors and the suppression threshold. */
export interface ReportSetup {
  corridors: readonly Corridor[];
  /** k: a cell is shown only with at least k distinct shippers and k distinct carriers. */
  minParties: number;
}

/** The smallest and largest k: 16 is what the cells' party lists hold. */
export const MIN_PARTIES = { floor: 3, ceiling: 16 } as const;

import {
  type Classification,
  type FieldClassification,
  redact,
} from "../../db/schema/classification";
import {
  type Waybill,
  type WaybillEvent,
  type WaybillLeg,
  waybillClasses,
  waybillEventClasses,
  waybillLegClasses,
} from "../../db/schema/waybills";

/**
 * Removes every field above `maxClassification` before a record leaves the node, by the
 * classification declared beside its table. A field the map does not know is removed too:
 * a column added without a class never leaks.
 */
export function stripToClassification<T extends object>(
  record: T,
  classes: FieldClassification<T>,
  maxClassification: Classification,
): Partial<T> {
  return redact(record, classes, maxClassification);
}

/** The classification of each record a partner may receive, by what it is. */
export const PARTNER_RECORD_CLASSES: {
  waybill: FieldClassification<Waybill>;
  leg: FieldClassification<WaybillLeg>;
  event: FieldClassification<WaybillEvent>;
} = { waybill: waybillClasses, leg: waybillLegClasses, event: waybillEventClasses };

// The closed lists federation is described by, for api/ to validate against without reaching
// into db/: the schema declares them once, as its column types.
export { CLASSIFICATIONS } from "../../db/schema/classification";
export { NODE_KINDS, PARTNER_STATUSES, RECORD_TYPES } from "../../db/schema/federation";

/** Every federation message and `/.well-known/caravan-node` carry it; a mismatch is refused. */
export const PROTOCOL_VERSION = "caravan-federation/1";

// The closed lists a participant is described by, for api/ to validate against without reaching
// into db/: the schema declares them once, as its column types.
export { GAUGES, MODES, ORG_KINDS, ORG_STATUSES, type OrgKind } from "../../db/schema";

// The states a waybill moves through, for api/ to validate against without reaching into db/:
// the schema declares them once, as its column type.
export { WAYBILL_STATES } from "../../db/schema";
